/** An error in words for the event log: its message, or the thrown value itself when it is no Error. */
export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A value from outside, in words, whatever it is: String() of a hostile object can throw. */
export const describeValue = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : value === null ? 'null' : typeof value;
