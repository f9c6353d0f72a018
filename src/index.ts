import { isMainThread } from 'node:worker_threads'
import { run } from './main.js'

// The comparison runs part of its work in a worker thread started from this bundle: that thread does its task (see
// spread.ts) and not the action.
if (isMainThread) await run()
