/** An error in words for the event log: its message, or the thrown value itself when it is no Error. */
export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
