import type { Toolkit } from './toolkit.js'

/**
 * Replaces every known secret form with `***` in text that is about to be logged, summarised or thrown. The runner
 * masks registered secrets too, but only on a real runner: this keeps secrets out of text on every host, and out of
 * text echoed back by a server (URLs, headers, bodies) before it reaches a log.
 */
export class Redactor {
  private secrets: string[] = []

  constructor(secrets: Iterable<string> = []) {
    for (const secret of secrets) this.add(secret)
  }

  /** Adds a secret; strings shorter than 3 characters are ignored (they would blank ordinary words). */
  add(secret: string): void {
    if (secret.length < 3 || this.secrets.includes(secret)) return
    // Longest first, so a secret that contains another is replaced whole.
    this.secrets = [...this.secrets, secret].sort((a, b) => b.length - a.length)
  }

  redact(text: string): string {
    let out = text
    for (const secret of this.secrets) out = out.split(secret).join('***')
    return out
  }
}

/** The toolkit with every log line, failure and summary passed through `redactor` first. */
export function withRedaction(toolkit: Toolkit, redactor: Redactor): Toolkit {
  const redact = (text: string): string => redactor.redact(text)
  return {
    env: toolkit.env,
    getInput: name => toolkit.getInput(name),
    setOutput: (name, value) => toolkit.setOutput(name, value),
    setSecret: secret => toolkit.setSecret(secret),
    info: message => toolkit.info(redact(message)),
    debug: message => toolkit.debug(redact(message)),
    warning: message => toolkit.warning(redact(message)),
    notice: message => toolkit.notice(redact(message)),
    setFailed: message => toolkit.setFailed(redact(message)),
    appendSummary: text => toolkit.appendSummary(redact(text)),
    group: (name, fn) => toolkit.group(redact(name), fn)
  }
}
