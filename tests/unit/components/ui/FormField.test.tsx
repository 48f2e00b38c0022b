import { describe, expect, it } from 'vitest';
import { FormField, type FormFieldProps } from '../../../../components/ui/FormField';
import { renderView } from '../../../support/render-view';

function field(props: Omit<FormFieldProps, 'children'>) {
  return <FormField {...props}>{(control) => <input {...control} type="text" />}</FormField>;
}

function parts(root: HTMLElement) {
  const label = root.querySelector('label')!;
  const input = root.querySelector('input')!;
  const described = (input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
  return {
    label,
    input,
    /** The texts the control's aria-describedby points at, in its order. */
    descriptions: described.map((id) => root.ownerDocument.getElementById(id)?.textContent ?? `(no element #${id})`),
  };
}

describe('FormField', () => {
  it('names its control by the label', () => {
    const { root } = renderView(field({ label: 'Node or user ID' }));
    const { label, input } = parts(root);
    expect(label.textContent).toBe('Node or user ID');
    expect(input.id).not.toBe('');
    expect(label.getAttribute('for')).toBe(input.id);
  });

  it('ties the hint to the control, which is valid while there is no error', () => {
    const { root } = renderView(field({ label: 'Room', hint: 'Nodes meet only nodes of the same room.' }));
    const { input, descriptions } = parts(root);
    expect(input.hasAttribute('aria-invalid')).toBe(false);
    expect(descriptions).toEqual(['Nodes meet only nodes of the same room.']);
    expect(root.querySelector('.hint')?.textContent).toBe('Nodes meet only nodes of the same room.');
    expect(root.querySelector('.field-error')).toBeNull();
  });

  it('marks the control invalid and describes it by the error first, then the hint', () => {
    const { root } = renderView(field({ label: 'Room', hint: 'Letters and digits.', error: 'The room must be 1–64 letters.' }));
    const { input, descriptions } = parts(root);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(descriptions).toEqual(['The room must be 1–64 letters.', 'Letters and digits.']);
    expect(root.querySelector('.field-error')?.textContent).toBe('The room must be 1–64 letters.');
  });

  it('describes the control by nothing, or by its error alone, when it has no hint', () => {
    const view = renderView(field({ label: 'Username of ICE server 1' }));
    expect(parts(view.root).input.hasAttribute('aria-describedby')).toBe(false);
    expect(view.root.querySelector('.hint')).toBeNull();

    view.rerender(field({ label: 'Username of ICE server 1', error: 'A TURN server needs a username.' }));
    expect(parts(view.root).descriptions).toEqual(['A TURN server needs a username.']);
  });

  it('takes the error back once it is gone', () => {
    const view = renderView(field({ label: 'Room', hint: 'Letters and digits.', error: 'Refused.' }));
    view.rerender(field({ label: 'Room', hint: 'Letters and digits.', error: null }));
    const { input, descriptions } = parts(view.root);
    expect(input.hasAttribute('aria-invalid')).toBe(false);
    expect(descriptions).toEqual(['Letters and digits.']);
    expect(view.root.querySelector('.field-error')).toBeNull();
  });

  it('puts the action on the control’s row, after it; without one the control stands alone', () => {
    const withAction = renderView(field({ label: 'Node or user ID', action: <button type="submit">Block</button> })).root;
    const row = withAction.querySelector('.field > .field-row')!;
    expect([...row.children].map((el) => el.tagName)).toEqual(['INPUT', 'BUTTON']);

    const alone = renderView(field({ label: 'Filter block list' })).root;
    expect(alone.querySelector('.field-row')).toBeNull();
    expect([...alone.querySelector('.field')!.children].map((el) => el.tagName)).toEqual(['LABEL', 'INPUT']);
  });

  it('gives each field ids of its own', () => {
    const { root } = renderView(
      <>
        {field({ label: 'Room', hint: 'One.', error: 'Bad room.' })}
        {field({ label: 'Maximum peers', hint: 'Two.', error: 'Bad count.' })}
      </>,
    );
    const ids = [...root.querySelectorAll('[id]')].map((el) => el.id);
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
    const [room, max] = [...root.querySelectorAll('.field')].map((el) => parts(el as HTMLElement).descriptions);
    expect(room).toEqual(['Bad room.', 'One.']);
    expect(max).toEqual(['Bad count.', 'Two.']);
  });
});
