import { Inputs } from './constants.js'
import { InputError } from '../errors.js'
import type { Redactor } from '../runtime/secrets.js'
import type { Toolkit } from '../runtime/toolkit.js'

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

/** The credential inputs, read once. Every secret form is masked before anything else can log or fail. */
export class Credentials {
  private readonly apiKey: string
  private readonly secretKey: string
  private readonly basicAuth: string
  /** The `github-token` input ('' when not given): a secret too. */
  readonly githubToken: string

  constructor(read: (name: string) => string, toolkit: Toolkit, redactor: Redactor) {
    this.apiKey = read(Inputs.ApiKey)
    this.secretKey = read(Inputs.SecretKey)
    this.basicAuth = read(Inputs.BasicAuth)
    this.githubToken = read(Inputs.GithubToken)
    for (const form of this.forms()) {
      toolkit.setSecret(form)
      redactor.add(form)
    }
  }

  /**
   * The key, the secret, the base64 of `key:secret`, the `basic-auth` value and the pieces it decodes to, the GitHub
   * token and its base64: every form a credential may show up in.
   */
  private forms(): string[] {
    const { apiKey, secretKey, basicAuth } = this
    const forms = new Set([apiKey, secretKey, basicAuth, this.githubToken])
    if (this.githubToken) forms.add(Buffer.from(this.githubToken).toString('base64'))
    if (apiKey && secretKey) forms.add(Buffer.from(`${apiKey}:${secretKey}`).toString('base64'))
    if (basicAuth) {
      const decoded = Buffer.from(basicAuth, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      if (colon > 0) {
        forms.add(decoded)
        forms.add(decoded.slice(0, colon))
        forms.add(decoded.slice(colon + 1))
      }
    }
    return [...forms].filter(s => s.trim().length > 0)
  }

  /** The Authorization header's value; throws an InputError naming the credential input that is wrong. */
  authorization(): string {
    const { apiKey, secretKey, basicAuth } = this
    const pair = apiKey !== '' || secretKey !== ''
    if (pair && basicAuth) {
      throw new InputError(
        Inputs.BasicAuth,
        `cannot be combined with '${Inputs.ApiKey}'/'${Inputs.SecretKey}': give either the key pair or 'basic-auth', not both`
      )
    }
    if (basicAuth) {
      const decoded = BASE64.test(basicAuth) ? Buffer.from(basicAuth, 'base64').toString('utf8') : ''
      const colon = decoded.indexOf(':')
      if (colon <= 0 || colon === decoded.length - 1) {
        throw new InputError(
          Inputs.BasicAuth,
          'must be the base64 encoding of \'api_key:secret_key\' (for example the output of `printf %s "$KEY:$SECRET" | base64 -w0`)'
        )
      }
      return `Basic ${basicAuth}`
    }
    if (!apiKey) {
      throw new InputError(
        Inputs.ApiKey,
        pair
          ? `is required with '${Inputs.SecretKey}': pass both from secrets, or 'basic-auth' alone`
          : `is required: pass '${Inputs.ApiKey}' and '${Inputs.SecretKey}' from secrets (or 'basic-auth')`
      )
    }
    if (!secretKey) {
      throw new InputError(Inputs.SecretKey, `is required with '${Inputs.ApiKey}': pass it from secrets`)
    }
    if (apiKey.includes(':')) throw new InputError(Inputs.ApiKey, "must not contain ':'")
    if (/[\r\n]/.test(apiKey)) throw new InputError(Inputs.ApiKey, 'must be a single line')
    if (/[\r\n]/.test(secretKey)) throw new InputError(Inputs.SecretKey, 'must be a single line')
    return `Basic ${Buffer.from(`${apiKey}:${secretKey}`).toString('base64')}`
  }
}
