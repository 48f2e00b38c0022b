/**
 * What the `Node or user ID` box accepts (issue 4, Node controls), and the `Trusted node or user ID`
 * box (issue 13): a node ID (`n`) or user ID (`u`) followed by 26 base32 characters (lower case a–z
 * and 2–7, as core/identity/identity.ts derives them), never this node's own ID or its user's. Checked
 * in the view so a typo is caught at the field, before anything is sent.
 */

/** Base32 characters after the `n` or `u`. */
const ID_CHARS = 26;
const BLOCKABLE_ID = new RegExp(`^[nu][a-z2-7]{${ID_CHARS}}$`);

type BlockIdCheck = { ok: true; id: string; kind: 'node' | 'user' } | { ok: false; message: string };

/** The ID lists a box adds to. */
export type IdList = 'block' | 'trust';

/** Why each list refuses this node's own IDs. */
const OWN_ID_REFUSALS: Record<IdList, { node: string; user: string }> = {
  block: { node: "That is this node's own ID: it cannot block itself.", user: 'That is your own user ID: blocking it would cut off your own browsers.' },
  trust: { node: "That is this node's own ID: it need not trust itself.", user: 'That is your own user ID: your own browsers are always trusted.' },
};

export function checkBlockId(raw: string, self: { nodeId: string; userId: string } | null, list: IdList = 'block'): BlockIdCheck {
  const id = raw.trim();
  if (!id) return { ok: false, message: 'Enter a node ID (starting with n) or a user ID (starting with u).' };
  if (!BLOCKABLE_ID.test(id)) {
    return {
      ok: false,
      message: `"${clip(id)}" is not a node or user ID: those are n or u followed by ${ID_CHARS} characters, lower-case a–z and 2–7.`,
    };
  }
  if (self && id === self.nodeId) return { ok: false, message: OWN_ID_REFUSALS[list].node };
  if (self && id === self.userId) return { ok: false, message: OWN_ID_REFUSALS[list].user };
  return { ok: true, id, kind: id.startsWith('n') ? 'node' : 'user' };
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
