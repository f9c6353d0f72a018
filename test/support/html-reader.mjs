// Reads summary HTML as a browser would (jsdom), for tests that check what a reader sees rather than the markup.
// Plain JavaScript: jsdom ships no types, and this file's JSDoc gives the tests theirs.
import { JSDOM } from 'jsdom'

/**
 * The text of each table row's cells, the text of each paragraph, the links' hrefs and the names of every element.
 * @param {string} html
 * @returns {{ rows: string[][], paragraphs: string[], links: (string | null)[], elements: string[] }}
 */
export function readHtml(html) {
  const { window } = new JSDOM(html)
  try {
    const dom = window.document
    const text = (/** @type {Element} */ e) => e.textContent ?? ''
    return {
      rows: [...dom.querySelectorAll('tr')].map(tr => [...tr.children].map(text)),
      paragraphs: [...dom.querySelectorAll('p')].map(text),
      links: [...dom.querySelectorAll('a')].map(a => a.getAttribute('href')),
      elements: [...new Set([...dom.body.querySelectorAll('*')].map(e => e.tagName.toLowerCase()))]
    }
  } finally {
    window.close()
  }
}
