import { isMainThread } from 'node:worker_threads'
// The comparison's hash join has a worker thread started from this bundle (see join-worker.ts): that thread runs
// join-worker.ts's start-up only, so the action itself is loaded (from its own chunk) on the main thread alone.
import './compare/join-worker.js'

if (isMainThread) {
  const { run } = await import('./main.js')
  await run()
}
