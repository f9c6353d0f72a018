/**
 * Text for HTML inside the summary's Markdown: the HTML specials, and also backticks and line breaks, which could
 * otherwise end the HTML block or open a code fence.
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/`/g, '&#96;')
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
}

/** An HTML table: a header row, then the rows; cells are HTML already. */
export function htmlTable(head: string[], rows: string[][]): string {
  const row = (cells: string[], tag: 'th' | 'td'): string =>
    `<tr>${cells.map(cell => `<${tag}>${cell}</${tag}>`).join('')}</tr>`
  return `<table>${row(head, 'th')}${rows.map(cells => row(cells, 'td')).join('')}</table>`
}
