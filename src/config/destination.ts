import { constants as fsConstants } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { access, mkdir, rm, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { Inputs } from './constants.js'
import { InputError } from '../errors.js'

/**
 * Makes sure the membership file can be written at `path` before a cohort request is spent: not a folder, its folder
 * created and writable. Throws an InputError naming `path`.
 */
export async function prepareDestination(path: string): Promise<void> {
  const existing = await stat(path).catch(() => undefined)
  if (existing?.isDirectory())
    throw new InputError(Inputs.Path, `is a directory: '${path}'; name a file in it`)
  try {
    await mkdir(dirname(path), { recursive: true })
    await access(dirname(path), fsConstants.W_OK)
    // access() says yes to root everywhere, even where no file can be created (/proc, a read-only mount): create
    // and remove a probe file beside `path`, the way the download's temporary file will be created.
    const probe = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.probe`)
    await writeFile(probe, '', { flag: 'wx' })
    await rm(probe, { force: true })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error'
    const why = code === 'ENOTDIR' || code === 'EEXIST' ? 'is not a folder' : 'is not writable'
    throw new InputError(Inputs.Path, `cannot be written: '${dirname(path)}' ${why} (${code})`)
  }
}
