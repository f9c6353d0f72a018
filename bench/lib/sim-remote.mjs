// Starts sim-process.mjs and calls it: `const sim = await startRemoteSimulator()`, then `await sim.addCohort(id, spec)`,
// `await sim.requests()`, `await sim.close()`.
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'

const SCRIPT = fileURLToPath(new URL('./sim-process.mjs', import.meta.url))

export async function startRemoteSimulator(env = {}) {
  const child = fork(SCRIPT, [], {
    execArgv: [],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  const pending = new Map()
  let seq = 0
  let exited = false
  child.on('exit', () => {
    exited = true
    for (const { reject } of pending.values()) reject(new Error('the simulator process exited'))
    pending.clear()
  })
  const [message] = await once(child, 'message')
  if (!message.ready) throw new Error('the simulator process did not start')
  child.on('message', ({ seq: id, result, error }) => {
    const waiter = pending.get(id)
    if (!waiter) return
    pending.delete(id)
    if (error) waiter.reject(new Error(error))
    else waiter.resolve(result)
  })
  const call = (op, args) =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new Error('the simulator process exited'))
      const id = ++seq
      pending.set(id, { resolve, reject })
      child.send({ seq: id, op, args })
    })
  return {
    ...message.ready,
    pid: child.pid,
    basicAuth: Buffer.from(`${message.ready.apiKey}:${message.ready.secretKey}`).toString('base64'),
    addCohort: (id, spec) => call('addCohort', { id, spec }),
    alias: (id, of, overrides) => call('alias', { id, of, overrides }),
    requests: since => call('requests', { since }),
    requestCount: () => call('requestCount'),
    limitStats: () => call('limitStats'),
    cpuUsage: () => call('cpuUsage'),
    clearRequests: () => call('clearRequests'),
    async close() {
      if (exited) return
      await call('close').catch(() => undefined)
      if (!exited) await once(child, 'exit')
    }
  }
}
