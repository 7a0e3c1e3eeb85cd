/** Parsing results for one details field: the value, or why it was not understood. */
export type DetailResult<T> = { ok: true; value: T } | { ok: false; reason: string };
