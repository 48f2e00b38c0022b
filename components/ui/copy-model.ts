/**
 * Copying IDs to the clipboard (the `Copy node ID` button and the connections' copy buttons). The
 * button that copied says "Copied" for a moment; a refusal (no clipboard permission, page not
 * focused) is shown as the dashboard's error.
 */
import { signal, type ReadonlySignal } from '@preact/signals';
import type { NodeModel } from '../client/node-model';

export interface CopyModel {
  /** The key of the button whose text was just copied; null after COPIED_MS. */
  readonly copied: ReadonlySignal<string | null>;
  copy(key: string, text: string): Promise<void>;
  dispose(): void;
}

export const COPIED_MS = 2000;

export function createCopyModel(
  node: Pick<NodeModel, 'reportError'>,
  writeText: (text: string) => Promise<void> = (text) => navigator.clipboard.writeText(text),
): CopyModel {
  const copied = signal<string | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Aborted by dispose(): a clipboard write still under way then shows nothing. */
  const scope = new AbortController();
  return {
    copied,
    async copy(key, text) {
      try {
        await writeText(text);
      } catch (error) {
        if (!scope.signal.aborted) node.reportError('copy the ID to the clipboard', error);
        return;
      }
      if (scope.signal.aborted) return;
      copied.value = key;
      clearTimeout(timer);
      timer = setTimeout(() => {
        copied.value = null;
      }, COPIED_MS);
    },
    dispose() {
      scope.abort();
      clearTimeout(timer);
    },
  };
}
