import { describe, expect, it } from 'vitest';
import { DataTable, type DataTableProps } from '../../../../components/ui/DataTable';
import { attribute, renderView } from '../../../support/render-view';

interface Item {
  id: string;
  text: string;
}

const ITEMS: Item[] = [
  { id: 'a', text: 'first' },
  { id: 'b', text: 'second' },
];

function table(props: Partial<DataTableProps<Item>> = {}) {
  return (
    <DataTable<Item>
      class="connections block-list"
      columns={['ID', 'Text']}
      rows={ITEMS}
      renderRow={(item) => (
        <tr key={item.id} data-id={item.id}>
          <th scope="row">{item.id}</th>
          <td>{item.text}</td>
        </tr>
      )}
      {...props}
    />
  );
}

/** Each `<tbody>` of the table, as the texts of its rows' cells. */
function bodies(root: HTMLElement): string[][][] {
  return [...root.querySelectorAll('table > tbody')].map((body) => [...body.querySelectorAll('tr')].map((tr) => [...tr.children].map((cell) => cell.textContent ?? '')));
}

describe('DataTable', () => {
  it('puts the table, named and described by the given ids, in a scroller the keyboard can reach', () => {
    const { root } = renderView(table({ labelledBy: 'heading', describedBy: 'count' }));
    const scroller = root.firstElementChild!;
    expect(scroller.className).toBe('table-scroll');
    expect(attribute(scroller, 'tabindex')).toBe('0');
    expect(scroller.hasAttribute('role')).toBe(false);
    const el = scroller.querySelector(':scope > table')!;
    expect(el.getAttribute('class')).toBe('connections block-list');
    expect(el.getAttribute('aria-labelledby')).toBe('heading');
    expect(el.getAttribute('aria-describedby')).toBe('count');
  });

  it('heads each column and renders the rows in order, in one body', () => {
    const { root } = renderView(table());
    const headers = [...root.querySelectorAll('thead th')];
    expect(headers.map((th) => [th.textContent, th.getAttribute('scope')])).toEqual([
      ['ID', 'col'],
      ['Text', 'col'],
    ]);
    expect(headers.some((th) => th.hasAttribute('aria-sort') || th.hasAttribute('class'))).toBe(false);
    expect(bodies(root)).toEqual([
      [
        ['a', 'first'],
        ['b', 'second'],
      ],
    ]);
    expect(root.querySelector('.empty')).toBeNull();
  });

  it('says why there are no rows in one cell across every column', () => {
    const { root } = renderView(table({ rows: [], empty: 'Nothing is blocked.' }));
    expect(bodies(root)).toEqual([[['Nothing is blocked.']]]);
    const cell = root.querySelector('tbody td.empty')!;
    expect(attribute(cell, 'colspan')).toBe('2');
  });

  it('leaves the body empty when there are no rows and nothing to say about it', () => {
    const { root } = renderView(table({ rows: [] }));
    expect(bodies(root)).toEqual([[]]);
  });

  it('lets each row bring its own body, and keeps one for the empty line', () => {
    const renderRow = (item: Item) => (
      <tbody key={item.id} class="peer">
        <tr>
          <td>{item.id}</td>
        </tr>
        <tr class="details">
          <td>{item.text}</td>
        </tr>
      </tbody>
    );
    const view = renderView(table({ rowBodies: true, renderRow, empty: 'No peers.' }));
    expect(bodies(view.root)).toEqual([
      [['a'], ['first']],
      [['b'], ['second']],
    ]);
    expect([...view.root.querySelectorAll('tbody')].every((body) => body.className === 'peer')).toBe(true);

    view.rerender(table({ rowBodies: true, renderRow, rows: [], empty: 'No peers.' }));
    expect(bodies(view.root)).toEqual([[['No peers.']]]);

    view.rerender(table({ rowBodies: true, renderRow, rows: [ITEMS[1]!], empty: 'No peers.' }));
    expect(bodies(view.root)).toEqual([[['b'], ['second']]]);
  });

  it('marks the sorted column and the numeric ones on their headers', () => {
    const { root } = renderView(
      table({
        columns: [
          { key: 'id', label: <button type="button">ID</button> },
          { key: 'text', label: 'Latency', numeric: true, sort: 'descending' },
        ],
      }),
    );
    const [id, latency] = [...root.querySelectorAll('thead th')];
    expect(id!.querySelector('button')?.textContent).toBe('ID');
    expect(id!.hasAttribute('aria-sort')).toBe(false);
    expect(latency!.getAttribute('aria-sort')).toBe('descending');
    expect(latency!.getAttribute('class')).toBe('num');
  });

  it('lays out columns of fixed widths: one col each, and the table at least as wide as their sum', () => {
    const fixed = renderView(
      table({
        columns: [
          { key: 'id', label: 'ID', width: 8 },
          { key: 'text', label: 'Text', width: 5.5 },
        ],
      }),
    ).root;
    expect([...fixed.querySelectorAll('colgroup > col')].map((col) => col.getAttribute('style'))).toEqual(['width:8rem', 'width:5.5rem']);
    expect(fixed.querySelector('table')!.getAttribute('style')).toBe('min-width:13.5rem');

    const auto = renderView(table()).root;
    expect(auto.querySelector('colgroup')).toBeNull();
    expect(auto.querySelector('table')!.hasAttribute('style')).toBe(false);
  });

  it('names its scroller by the table’s heading when asked, and takes a class for it', () => {
    const { root } = renderView(table({ labelledBy: 'log-heading', scrollClass: 'log-scroll', scrollNamed: true }));
    const scroller = root.firstElementChild!;
    expect(scroller.className).toBe('table-scroll log-scroll');
    expect(scroller.getAttribute('role')).toBe('group');
    expect(scroller.getAttribute('aria-labelledby')).toBe('log-heading');
  });
});
