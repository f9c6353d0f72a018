// The real Mermaid parser for tests: the npm package's own mermaid.parse(), not a look-alike grammar.
//
// Mermaid sanitises diagram text with DOMPurify, which decides when it is first imported whether it has a DOM:
// without a global `window` it exports a stub with no addHook(), and mermaid.parse() throws "DOMPurify.addHook is
// not a function". So a jsdom window becomes the global `window` (and `document`) before mermaid is first imported.
// Only this helper, and the tests that import it, load Mermaid: src/ must never import it (ncc would bundle it).
import { JSDOM } from 'jsdom'

let loaded
let installed
/** Mermaid keeps each diagram type's parsed data in one module-level object: one parse at a time. */
let queue = Promise.resolve()

function serially(task) {
  const result = queue.then(task)
  queue = result.catch(() => {})
  return result
}

function load() {
  loaded ??= (async () => {
    if (typeof globalThis.window === 'undefined') {
      installed = new JSDOM('<!doctype html><html><body></body></html>').window
      globalThis.window = installed
      globalThis.document = installed.document
    }
    const { default: mermaid } = await import('mermaid')
    mermaid.initialize({ startOnLoad: false })
    return mermaid
  })()
  return loaded
}

/**
 * Parses one diagram (the text inside a ```mermaid fence) and resolves to its diagram type, e.g. 'xychart'; rejects
 * with Mermaid's own error when the text is not valid Mermaid.
 * @param {string} text
 * @returns {Promise<string>}
 */
export function parseMermaid(text) {
  return serially(async () => {
    const mermaid = await load()
    const result = await mermaid.parse(text)
    return result.diagramType
  })
}

/**
 * What Mermaid's xychart parser made of `text`: its axes and series as the renderer would draw them. Reads the
 * diagram's database (getXYChartData), an internal of the pinned Mermaid version.
 * @param {string} text
 * @returns {Promise<{ title: string, xAxis: { title: string, categories: string[] }, yAxis: { title: string, min: number, max: number }, plots: { type: 'line' | 'bar', title: string, values: number[] }[] }>}
 */
export async function readXYChart(text) {
  const mermaid = await load()
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text)
  const data = diagram.db.getXYChartData()
  return {
    title: diagram.db.getDiagramTitle(),
    xAxis: { title: data.xAxis.title, categories: data.xAxis.categories },
    yAxis: { title: data.yAxis.title, min: data.yAxis.min, max: data.yAxis.max },
    plots: data.plots.map(plot => ({
      type: plot.type,
      title: plot.title,
      values: plot.data.map(([, v]) => v)
    }))
  }
}

/**
 * Removes the jsdom window this helper installed (call it in afterAll). Under jest 30 it must go before the test
 * file ends: jest's clean-up of leftover globals recurses through a jsdom window until the stack overflows.
 */
export function closeMermaid() {
  if (!installed) return
  if (globalThis.window === installed) delete globalThis.window
  if (globalThis.document === installed.document) delete globalThis.document
  installed.close()
  installed = undefined
}
