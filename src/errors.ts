/**
 * Error types the action ends with. Each message is written for the person reading a failed nightly run: what
 * happened, and what to change. None of them ever carries a secret (see `Redactor`).
 */

/** An input is missing or malformed. Raised before any request is sent. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    message: string
  ) {
    super(`Input '${input}' ${message}`)
    this.name = 'InputError'
  }
}

/** Amplitude answered with an error that retrying will not fix (bad credentials, unknown cohort, failed job…). */
export class AmplitudeError extends Error {
  constructor(
    message: string,
    readonly status?: number
  ) {
    super(message)
    this.name = 'AmplitudeError'
  }
}

/** A request could not complete after its retries, or the export job did not finish in time. */
export class TransientError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number
  ) {
    super(message)
    this.name = 'TransientError'
  }
}

/** The downloaded file is not a complete, valid membership file. */
export class DownloadError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DownloadError'
  }
}

/** The file could not be written (disk full, permissions): retrying the download cannot help. */
export class WriteError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'WriteError'
  }
}

/** The run was cancelled (SIGINT/SIGTERM from the runner). */
export class CancelledError extends Error {
  constructor(reason = 'the run was cancelled') {
    super(reason)
    this.name = 'CancelledError'
  }
}

/** The message of anything thrown, as a string. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}

/**
 * Replaces every known secret form with `***` in text that is about to be logged, summarised or thrown. The runner
 * masks registered secrets too, but only on a real runner: this keeps secrets out of text on every host, and out of
 * text echoed back by a server (URLs, headers, bodies) before it reaches a log.
 */
export class Redactor {
  private readonly secrets: string[]

  constructor(secrets: Iterable<string>) {
    // Longest first, so a secret that contains another is replaced whole.
    this.secrets = [...new Set([...secrets].filter(s => s.length >= 3))].sort((a, b) => b.length - a.length)
  }

  redact(text: string): string {
    let out = text
    for (const secret of this.secrets) out = out.split(secret).join('***')
    return out
  }
}
