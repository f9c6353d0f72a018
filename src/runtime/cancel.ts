import { CancelledError } from '../errors.js'

/**
 * Cancellation the way the runner cancels a job (SIGINT, then SIGTERM): aborts `signal` with a CancelledError that
 * names the signal. `dispose()` removes the handlers.
 */
export function cancelOnSignals(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController()
  const onSignal = (name: NodeJS.Signals): void =>
    controller.abort(new CancelledError(`the run was cancelled (${name})`))
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  }
}

/**
 * What long loops check between batches to stop when the run is cancelled (an AbortSignal is one). Throws the reason
 * when cancelled.
 */
export interface Cancellation {
  throwIfAborted(): void
}
