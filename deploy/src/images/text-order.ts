/**
 * Strings in UTF-16 code-unit order: the same on every machine, where `localeCompare` would follow the
 * build machine's locale and so change what the images hold.
 */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
