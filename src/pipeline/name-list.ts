/**
 * A list of column names in one option value (`--columns`, `--gamma name=value,…`), written as
 * a CSV record is: items separated by commas, an item in double quotes holding commas, outer
 * spaces or quotes ("" is a quote). So a header line pasted as it is (`--columns "$(head -1
 * data.csv)"`) names its columns, `"a,b"` included.
 */

/** The items of `text`, split at the commas outside quotes, each trimmed (quotes kept: see unquoteName). */
export function splitItems(text: string): string[] {
  const items: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted; // "" inside quotes toggles twice: still inside
    else if (c === ',' && !quoted) {
      items.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  items.push(text.slice(start).trim());
  return items;
}

/** An item as the name it says: the text between its quotes with "" as ", or the trimmed text. */
export function unquoteName(item: string): string {
  const text = item.trim();
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) return text.slice(1, -1).replace(/""/g, '"');
  return text;
}
