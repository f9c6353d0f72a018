export const id = 968;
export const ids = [968];
export const modules = {

/***/ 91968:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  run: () => (/* binding */ run)
});

;// CONCATENATED MODULE: ./src/constants.ts
/** Input names: the contract users write into their workflows (action.yml lists the same). */
const Inputs = {
    CohortId: 'cohort-id',
    ApiKey: 'api-key',
    SecretKey: 'secret-key',
    BasicAuth: 'basic-auth',
    IncludeProps: 'include-props',
    PropKeys: 'prop-keys',
    Region: 'region',
    ServerUrl: 'server-url',
    PollInterval: 'poll-interval',
    Timeout: 'timeout',
    RequestTimeout: 'request-timeout',
    Path: 'path',
    UploadArtifact: 'upload-artifact',
    ArtifactName: 'artifact-name',
    RetentionDays: 'retention-days',
    CompressionLevel: 'compression-level',
    Overwrite: 'overwrite',
    MinMembers: 'min-members',
    CompareWith: 'compare-with',
    GithubToken: 'github-token',
    CompareKey: 'compare-key',
    MaxExiting: 'max-exiting',
    RequestId: 'request-id',
    ReuseOnRerun: 'reuse-on-rerun',
    OnMissingBaseline: 'on-missing-baseline',
    MonthlyRequestBudget: 'monthly-request-budget',
    DryRun: 'dry-run'
};
/** Output names (camelCase, as in the workflow this action implements). */
const Outputs = {
    RequestId: 'requestId',
    FinalStatus: 'finalStatus',
    CohortFile: 'cohortFile',
    MemberCount: 'memberCount',
    Bytes: 'bytes',
    Sha256: 'sha256',
    ArtifactId: 'artifactId',
    ArtifactUrl: 'artifactUrl',
    Baseline: 'baseline',
    FullSync: 'fullSync',
    EnteringCount: 'enteringCount',
    ExitingCount: 'exitingCount',
    ChangedCount: 'changedCount',
    SkippedCount: 'skippedCount',
    EnteringFile: 'enteringFile',
    ExitingFile: 'exitingFile',
    ChangedFile: 'changedFile',
    SkippedFile: 'skippedFile',
    Results: 'results',
    FailedCohorts: 'failedCohorts'
};
const Regions = {
    us: 'https://amplitude.com',
    eu: 'https://analytics.eu.amplitude.com'
};
const Defaults = {
    pollInterval: '5s',
    timeout: '30m',
    requestTimeout: '1m',
    compressionLevel: 6,
    compareKey: 'amplitude_id'
};

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(83916);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(57075);
// EXTERNAL MODULE: external "node:stream/promises"
var external_node_stream_promises_ = __webpack_require__(46466);
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(38522);
// EXTERNAL MODULE: ./src/csv-cursor.ts
var csv_cursor = __webpack_require__(9198);
// EXTERNAL MODULE: ./src/format.ts
var format = __webpack_require__(16264);
// EXTERNAL MODULE: ./node_modules/@actions/http-client/lib/index.js + 1 modules
var lib = __webpack_require__(44942);
;// CONCATENATED MODULE: ./src/retry.ts

/** Backoff before attempt `attempt + 1`: exponential from `baseMs`, capped, with full jitter in the upper half. */
function retryDelay(attempt, baseMs, capMs, random) {
    const ceiling = Math.min(capMs, baseMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (ceiling / 2) * random);
}
/**
 * Runs `attempt(n)` until it succeeds, a failure is not retryable, or the policy gives up (GaveUpError, carrying the
 * last failure). Cancellation is never retried.
 */
async function retry(policy, context, attempt) {
    const { clock, signal } = context;
    for (let n = 1;; n++) {
        try {
            return await attempt(n);
        }
        catch (error) {
            if (error instanceof errors/* CancelledError */.cc || signal.aborted || !context.retryable(error))
                throw error;
            const cause = error;
            if (n >= policy.maxAttempts)
                throw new errors/* GaveUpError */.jD(policy.operation, cause, n, 'attempts');
            const wait = context.retryAfterMs?.(error) ?? retryDelay(n, policy.baseMs, policy.capMs, clock.random());
            if (policy.maxWaitMs !== undefined && wait > policy.maxWaitMs) {
                throw new errors/* GaveUpError */.jD(policy.operation, cause, n, 'wait-too-long', wait);
            }
            const deadline = context.deadline?.();
            if (deadline !== undefined && clock.now() + wait > deadline) {
                throw new errors/* GaveUpError */.jD(policy.operation, cause, n, 'deadline', wait);
            }
            context.onRetry?.(cause, n, wait);
            await clock.sleep(wait, signal);
        }
    }
}
/**
 * Parses a Retry-After header: delta-seconds or an HTTP-date. Returns milliseconds from `now`, or undefined when
 * absent or unreadable.
 */
function parseRetryAfter(value, now = Date.now()) {
    const text = Array.isArray(value) ? value[0] : value;
    if (!text)
        return undefined;
    const trimmed = text.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed))
        return Math.round(Number(trimmed) * 1000);
    // An HTTP-date names a weekday and a month; Date.parse alone would read '-5' as a year.
    if (!/[a-z]{3}/i.test(trimmed))
        return undefined;
    const date = Date.parse(trimmed);
    if (Number.isNaN(date))
        return undefined;
    return Math.max(0, date - now);
}

// EXTERNAL MODULE: external "node:timers/promises"
var external_node_timers_promises_ = __webpack_require__(58500);
;// CONCATENATED MODULE: ./src/clock.ts


const systemClock = {
    now: () => Date.now(),
    sleep: async (ms, signal) => {
        try {
            await (0,external_node_timers_promises_.setTimeout)(ms, undefined, { signal });
        }
        catch (error) {
            if (signal.aborted)
                throw new errors/* CancelledError */.cc();
            throw error;
        }
    },
    random: () => Math.random()
};
/**
 * A timer that fires `onIdle` once when `touch()` has not been called for `ms`: the one watchdog behind every
 * "no data for …" timeout. `stop()` ends it.
 */
class IdleTimer {
    timer;
    constructor(ms, onIdle) {
        this.timer = setTimeout(onIdle, ms);
    }
    touch() {
        this.timer.refresh();
    }
    stop() {
        clearTimeout(this.timer);
    }
}
/** Rejects with CancelledError when `signal` aborts; `off()` removes the listener. */
function whenAborted(signal) {
    let onAbort = () => undefined;
    const promise = new Promise((_, reject) => {
        onAbort = () => reject(new errors/* CancelledError */.cc());
        if (signal.aborted)
            onAbort();
        else
            signal.addEventListener('abort', onAbort, { once: true });
    });
    promise.catch(() => undefined);
    return { promise, off: () => signal.removeEventListener('abort', onAbort) };
}

;// CONCATENATED MODULE: ./src/transport.ts


/**
 * HTTP transport under the Amplitude client: one GET with a time limit for the response headers and cancellation,
 * and a reader for small bodies with an idle limit and a size cap. Failures that a new attempt may fix are
 * TransientErrors whose messages carry no query string (pre-signed links carry signatures).
 */
/** HTTP statuses that a later attempt may get past: timeouts, rate limits, server errors. */
const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const MAX_SMALL_BODY_BYTES = 1 << 20;
/** Strips the query string (signatures, tokens) from every URL or path in a text. */
function stripQueries(text) {
    return text.replace(/((?:https?:\/\/[^\s/?#'"]+)?\/[^\s?#'"]*)\?[^\s'"]*/g, '$1?…');
}
/** Sends one GET. `what` names the request in errors ("could not reach host for <what>: ECONNRESET"). */
async function send(client, url, headers, what, options) {
    const { signal, timeoutMs } = options;
    if (signal.aborted)
        throw new errors/* CancelledError */.cc();
    const aborted = whenAborted(signal);
    let timer;
    const silent = new Promise((_, reject) => {
        timer = new IdleTimer(timeoutMs, () => reject(new Error(`no response within ${timeoutMs}ms`)));
    });
    const pending = client.request('GET', url, null, headers);
    try {
        const response = await Promise.race([pending, aborted.promise, silent]);
        return response.message;
    }
    catch (error) {
        // A response that arrives after we gave up is never read: free its socket.
        pending.then(late => late.message.destroy(), () => undefined);
        if (error instanceof errors/* CancelledError */.cc)
            throw error;
        const code = error.code;
        const detail = options.redact(stripQueries(code ?? (0,errors/* messageOf */.bD)(error)));
        throw new errors/* TransientError */.N_(`could not reach ${new URL(url).host} for ${what}: ${detail}`);
    }
    finally {
        timer?.stop();
        aborted.off();
    }
}
/**
 * Reads a small body (JSON, an error page) with an idle limit and a size cap (1 MiB unless `maxBytes` says). Rejects
 * with TransientError on silence longer than `idleMs`, on a body that ends early or is too large, and with
 * CancelledError on abort.
 */
function readSmallBody(message, idleMs, signal, maxBytes = MAX_SMALL_BODY_BYTES) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        let size = 0;
        let settled = false;
        const idle = new IdleTimer(idleMs, () => finish(new errors/* TransientError */.N_(`no data for ${idleMs}ms while reading the response`)));
        const aborted = whenAborted(signal);
        aborted.promise.catch(error => finish(error));
        function finish(error) {
            // destroy() below emits 'aborted' at once: the first reason wins, not the echo of our own destroy.
            if (settled)
                return;
            settled = true;
            idle.stop();
            aborted.off();
            message.removeAllListeners('data');
            if (error) {
                message.destroy();
                reject(error);
            }
            else {
                resolve(Buffer.concat(chunks).toString('utf8'));
            }
        }
        message.on('data', (chunk) => {
            idle.touch();
            size += chunk.length;
            if (size > maxBytes)
                return finish(new errors/* TransientError */.N_('the response is larger than expected'));
            chunks.push(chunk);
        });
        message.on('end', () => finish());
        message.on('aborted', () => finish(new errors/* TransientError */.N_('the connection closed before the response ended')));
        message.on('error', error => finish(new errors/* TransientError */.N_(`the response failed: ${(0,errors/* messageOf */.bD)(error)}`)));
    });
}
/** A short excerpt of an error body: Amplitude's `details`/`error` text when it is JSON, S3's `<Message>` in XML. */
function describeErrorBody(text) {
    try {
        const body = JSON.parse(text);
        const error = body.error;
        const details = typeof error === 'object' && error !== null
            ? (error.metadata?.details ?? error.message ?? error.type)
            : (error ?? body.message);
        if (typeof details === 'string' && details)
            return details.slice(0, 200);
    }
    catch {
        // not JSON: fall through
    }
    const xmlMessage = /<Message>([^<]{1,200})<\/Message>/.exec(text)?.[1];
    if (xmlMessage)
        return xmlMessage;
    return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}
/**
 * One path segment for an identifier: percent-encoded, and never `.` or `..` (which URL parsers resolve as dot
 * segments even when encoded), so no value can change which API path is requested.
 */
function pathSegment(value, what) {
    let encoded;
    try {
        encoded = encodeURIComponent(value);
    }
    catch {
        throw new RangeError(`${what} is not valid text (it holds a lone surrogate)`);
    }
    if (encoded === '' || encoded === '.' || encoded === '..') {
        throw new RangeError(`${what} '${value}' cannot be used as a URL path segment`);
    }
    return encoded;
}
/** A redirect the file download may follow: http(s) only, never from https down to http. */
function checkRedirect(previous, next) {
    if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw new errors/* UnexpectedResponseError */.wH(`the file redirect points to an unsupported scheme (${next.protocol})`);
    }
    if (previous.protocol === 'https:' && next.protocol === 'http:') {
        throw new errors/* UnexpectedResponseError */.wH(`the file redirect downgrades from https to http (${next.host}); refusing to follow it`);
    }
    return next;
}

;// CONCATENATED MODULE: ./src/github.ts




const POLICY = {
    operation: 'request',
    maxAttempts: 4,
    baseMs: 1000,
    capMs: 30_000
};
/** How many rate limits one request waits out (within the deadline) before it gives up. */
const RATE_LIMIT_WAITS = 8;
/** GitHub's advice for a secondary rate limit that names no wait: at least a minute. */
const SECONDARY_WAIT_MS = 60_000;
/** Pages of 100 artifacts looked through for a baseline, newest first. */
const MAX_PAGES = 10;
/** A rate limit GitHub answered, with the wait it asked for. */
class RateLimited extends errors/* TransientError */.N_ {
    status;
    detail;
    constructor(status, detail, retryAfterMs) {
        super(`GitHub's API rate limit was reached (HTTP ${status}: ${detail})`, retryAfterMs);
        this.status = status;
        this.detail = detail;
    }
}
/**
 * The wait a rate-limit answer asks for, or undefined when it is not one. GitHub's rules: a 429, or a 403 whose
 * `x-ratelimit-remaining` is 0 (primary) or whose body mentions a rate limit (secondary); `Retry-After` first, then
 * `x-ratelimit-reset` (epoch seconds) when nothing remains, otherwise a minute.
 */
function rateLimitWait(status, headers, body, now) {
    const exhausted = headers['x-ratelimit-remaining'] === '0';
    if (status !== 429 && !(status === 403 && (exhausted || /rate limit/i.test(body))))
        return undefined;
    const retryAfter = parseRetryAfter(headers['retry-after'], now);
    if (retryAfter !== undefined)
        return retryAfter;
    const reset = Number(headers['x-ratelimit-reset']);
    if (exhausted && Number.isFinite(reset) && reset > 0)
        return Math.max(0, reset * 1000 - now) + 1000;
    return SECONDARY_WAIT_MS;
}
class GitHub {
    options;
    http = new lib/* HttpClient */.Qq('amplitude-cohort-export', [], {
        allowRetries: false,
        keepAlive: true
    });
    constructor(options) {
        this.options = options;
    }
    dispose() {
        this.http.dispose();
    }
    async run(id) {
        const body = await this.get(`/repos/${this.options.repository}/actions/runs/${encodeURIComponent(id)}`);
        return {
            id: Number(body.id),
            workflowId: Number(body.workflow_id),
            headBranch: stringOrNull(body.head_branch),
            conclusion: stringOrNull(body.conclusion),
            headRepository: fullName(body.head_repository),
            repository: fullName(body.repository)
        };
    }
    /** The repository's artifacts of that name, newest first, page by page (at most MAX_PAGES of 100). */
    async *artifacts(name) {
        for (let page = 1; page <= MAX_PAGES; page++) {
            const query = new URLSearchParams({ name, per_page: '100', page: String(page) });
            const body = await this.get(`/repos/${this.options.repository}/actions/artifacts?${query}`);
            const list = Array.isArray(body.artifacts) ? body.artifacts : [];
            const artifacts = list
                .filter(a => a.name === name)
                .map(a => {
                const run = (a.workflow_run ?? {});
                return {
                    id: Number(a.id),
                    name: String(a.name),
                    expired: a.expired === true,
                    createdAt: String(a.created_at ?? ''),
                    run: {
                        id: Number(run.id),
                        headBranch: stringOrNull(run.head_branch),
                        // Both IDs are listed for a run: different ones mean a pull request from a fork.
                        fromFork: run.head_repository_id !== undefined &&
                            run.repository_id !== undefined &&
                            run.head_repository_id !== run.repository_id
                    }
                };
            })
                .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
            yield* artifacts;
            if (list.length < 100)
                return;
        }
    }
    /**
     * One GET, as JSON. Failures a new attempt may fix are retried by the one retry policy; a rate limit is waited out
     * as GitHub asks, up to RATE_LIMIT_WAITS times and never past the deadline, without spending those retries.
     */
    async get(path) {
        const { clock, signal, log } = this.options;
        for (let waits = 0;; waits++) {
            try {
                return await retry(POLICY, this.retryContext(), () => this.getOnce(path));
            }
            catch (error) {
                if (!(error instanceof RateLimited))
                    throw error;
                const wait = error.retryAfterMs ?? SECONDARY_WAIT_MS;
                if (waits >= RATE_LIMIT_WAITS || clock.now() + wait > this.options.deadline) {
                    throw new errors/* GitHubRateLimitError */.Rr(error.status, error.detail, wait);
                }
                log.warning(`${error.message}; waiting ${(wait / 1000).toFixed(1)}s as GitHub asks`);
                await clock.sleep(wait, signal);
            }
        }
    }
    retryContext() {
        const { clock, signal, log, deadline } = this.options;
        return {
            clock,
            signal,
            deadline: () => deadline,
            retryable: error => error instanceof errors/* TransientError */.N_ && !(error instanceof RateLimited),
            onRetry: (error, attempt, waitMs) => log.warning(`${error.message}; retrying in ${(waitMs / 1000).toFixed(1)}s (attempt ${attempt + 1})`)
        };
    }
    async getOnce(path) {
        const { clock, signal, log, redact, requestTimeoutMs, token } = this.options;
        const url = `${this.options.apiUrl.replace(/\/+$/, '')}${path}`;
        const what = `GitHub ${stripQueries(path)}`;
        log.debug(`GET ${stripQueries(url)}`);
        const headers = {
            accept: 'application/vnd.github+json',
            authorization: `Bearer ${token}`,
            'x-github-api-version': '2022-11-28'
        };
        const response = await send(this.http, url, headers, what, {
            timeoutMs: requestTimeoutMs,
            signal,
            redact
        });
        const status = response.statusCode ?? 0;
        const text = await readSmallBody(response, requestTimeoutMs, signal);
        const detail = describeErrorBody(redact(text));
        const wait = rateLimitWait(status, response.headers, text, clock.now());
        if (wait !== undefined)
            throw new RateLimited(status, detail, wait);
        if (status === 401 || status === 403 || status === 404)
            throw new errors/* GitHubAccessError */.Cx(status, detail);
        if (RETRYABLE_STATUS.has(status))
            throw new errors/* TransientError */.N_(`GitHub answered HTTP ${status} for ${what} (${detail})`);
        if (status < 200 || status >= 300)
            throw new Error(`GitHub answered HTTP ${status} for ${what}: ${detail}`);
        try {
            return JSON.parse(text);
        }
        catch {
            throw new errors/* TransientError */.N_(`GitHub answered ${status} for ${what} with a body that is not JSON`);
        }
    }
}
function stringOrNull(value) {
    return typeof value === 'string' ? value : null;
}
function fullName(value) {
    if (typeof value !== 'object' || value === null)
        return null;
    return stringOrNull(value.full_name);
}

// EXTERNAL MODULE: ./src/keyed-rows.ts
var keyed_rows = __webpack_require__(26859);
;// CONCATENATED MODULE: ./src/manifest.ts


/** The files beside the membership file: `<name>.entering.csv` … and `<name>.json`. */
function siblings(path) {
    const name = (0,external_node_path_.basename)(path).replace(/\.csv$/i, '');
    const at = (suffix) => (0,external_node_path_.join)((0,external_node_path_.dirname)(path), `${name}${suffix}`);
    return {
        manifest: at('.json'),
        entering: at('.entering.csv'),
        exiting: at('.exiting.csv'),
        changed: at('.changed.csv'),
        skipped: at('.skipped.csv')
    };
}
/**
 * Reads a manifest's text, checking every field a later run relies on; throws BaselineError naming `source` when it
 * is not valid JSON or a field is missing or malformed (a damaged manifest makes its export unusable).
 */
function readManifest(text, source) {
    const fail = (reason) => new errors/* BaselineError */.s$(source, `its manifest ${reason}`);
    let value;
    try {
        value = JSON.parse(text);
    }
    catch {
        throw fail('is not valid JSON (cut short or damaged)');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw fail('is not a JSON object');
    const m = value;
    if (m.version !== 1)
        throw fail(`has version ${JSON.stringify(m.version)}, not 1`);
    const problem = FIELDS.find(([name, valid]) => !valid(m[name]));
    if (problem)
        throw fail(`has no valid '${problem[0]}'`);
    return { ...m, history: Array.isArray(m.history) ? m.history : [] };
}
const isText = (v) => typeof v === 'string';
const isCount = (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isCountOrNull = (v) => v === null || v === undefined || isCount(v);
const isTexts = (v) => Array.isArray(v) && v.every(isText);
/** The fields a manifest must have, each with its check. */
const FIELDS = [
    ['file', v => typeof v === 'string' && v !== '' && (0,external_node_path_.basename)(v) === v && v !== '..'],
    ['sha256', v => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)],
    ['bytes', isCount],
    ['columns', isTexts],
    ['memberCount', isCount],
    ['cohortId', isText],
    ['requestId', isText],
    ['exportedAt', isText],
    ['includeProps', v => typeof v === 'boolean'],
    ['propKeys', isTexts],
    ['enteringCount', isCountOrNull],
    ['exitingCount', isCountOrNull],
    ['changedCount', isCountOrNull]
];

// EXTERNAL MODULE: ./node_modules/yauzl/index.js
var yauzl = __webpack_require__(20663);
;// CONCATENATED MODULE: ./src/unzip.ts







/** A manifest is a few KiB (30 history entries): more is not one. */
const MAX_MANIFEST_BYTES = 1 << 20;
/**
 * Takes the manifest and the membership file out of an artifact's zip, from its central directory: the manifest
 * first, then only the file it names, inflated no further than the manifest's `bytes` (yauzl checks that each entry
 * inflates to exactly the size its directory records). A zip bomb, a file larger than its manifest says, or a damaged
 * zip is a BaselineError naming `source`; nothing else in the zip is inflated.
 */
async function extractBounded(zipPath, dir, source) {
    const fail = (reason) => new errors/* BaselineError */.s$(source, reason);
    const zip = await yauzl.openPromise(zipPath, { lazyEntries: true, validateEntrySizes: true, autoClose: false })
        .catch(error => {
        throw fail(`its artifact is not a zip that can be read (${(0,errors/* messageOf */.bD)(error)})`);
    });
    try {
        const entries = new Map();
        for await (const entry of zip.eachEntry())
            entries.set(entry.fileName, entry);
        const manifests = [...entries.keys()].filter(name => name.endsWith('.json') && !name.includes('/'));
        if (manifests.length === 0)
            throw fail('its artifact has no manifest');
        const manifestEntry = entries.get(manifests[0]);
        if (manifestEntry.uncompressedSize > MAX_MANIFEST_BYTES) {
            throw fail(`its manifest is larger than ${MAX_MANIFEST_BYTES} bytes`);
        }
        const text = await readEntry(zip, manifestEntry).catch(error => {
            throw fail(`its manifest could not be read (${(0,errors/* messageOf */.bD)(error)})`);
        });
        const manifest = readManifest(text, source);
        const file = entries.get(manifest.file);
        if (!file)
            throw fail(`its artifact has no '${manifest.file}'`);
        if (file.uncompressedSize !== manifest.bytes) {
            throw fail(`its '${manifest.file}' inflates to ${file.uncompressedSize} bytes, not the ${manifest.bytes} its manifest records`);
        }
        await (0,promises_.mkdir)(dir, { recursive: true });
        await (0,external_node_stream_promises_.pipeline)(await zip.openReadStreamPromise(file), (0,external_node_fs_.createWriteStream)((0,external_node_path_.join)(dir, manifest.file))).catch(error => {
            throw fail(`its '${manifest.file}' could not be inflated (${(0,errors/* messageOf */.bD)(error)})`);
        });
        return manifest;
    }
    finally {
        zip.close();
    }
}
async function readEntry(zip, entry) {
    const chunks = [];
    for await (const chunk of await zip.openReadStreamPromise(entry))
        chunks.push(chunk);
    return Buffer.concat(chunks).toString('utf8');
}

;// CONCATENATED MODULE: ./src/baseline.ts
















const GZIP = [0x1f, 0x8b];
const LF = 0x0a;
/**
 * Finds and fetches the baseline. Undefined when there is none: a first export, or (with `on-missing-baseline:
 * full`) a lost one; a notice or warning says which. Throws BaselineGoneError when the last delivered export is gone
 * and BaselineError when one exists but cannot be used.
 */
async function findBaseline(inputs, context) {
    const compare = inputs.compareWith;
    if (compare.kind === 'none')
        return undefined;
    try {
        if (compare.kind === 'file')
            return await fromFile(compare.path, compare.given, inputs, context.signal);
        return await fromPreviousRun(inputs, compare.token, context);
    }
    catch (error) {
        if (!(error instanceof errors/* BaselineGoneError */.$H) || inputs.onMissingBaseline === 'fail')
            throw error;
        context.toolkit.warning(`${error.message}. '${Inputs.OnMissingBaseline}' is 'full': this run is a full sync (fullSync is true): ` +
            "import 'cohortFile' as a replacement of the whole list");
        return undefined;
    }
}
/** A baseline file given by path: checked completely (CSV, key column, record sizes) before a request is spent. */
async function fromFile(path, given, inputs, signal) {
    const info = await (0,promises_.stat)(path).catch(() => undefined);
    if (!info)
        throw new errors/* BaselineGoneError */.$H(`'${given}' does not exist`, true);
    if (!info.isFile())
        throw new errors/* InputError */.dz(Inputs.CompareWith, `names no file: '${given}'`);
    const head = Buffer.alloc(2);
    const file = await (0,promises_.open)(path);
    await file.read(head, 0, 2, 0).finally(() => file.close());
    const gzip = head[0] === GZIP[0] && head[1] === GZIP[1];
    // A copy of its own (a hard link when it can be): `path` may be that very file, and the download replaces it.
    const dir = await (0,promises_.mkdtemp)((0,external_node_path_.join)((0,external_node_path_.dirname)(inputs.path), '.baseline-'));
    const dispose = () => (0,promises_.rm)(dir, { recursive: true, force: true });
    const csv = (0,external_node_path_.join)(dir, 'baseline.csv');
    try {
        if (gzip) {
            await (0,external_node_stream_promises_.pipeline)((0,external_node_fs_.createReadStream)(path), (0,external_node_zlib_.createGunzip)(), new LineLimit(csv_cursor/* MAX_RECORD_BYTES */.x), (0,external_node_fs_.createWriteStream)(csv), {
                signal
            }).catch(error => {
                if (signal.aborted)
                    throw new errors/* CancelledError */.cc();
                if (error instanceof errors/* RecordTooLargeError */.r5)
                    throw asBaselineError(error, 'file', inputs.compareKey);
                throw new errors/* BaselineError */.s$('file', `it is gzip that does not inflate (${(0,errors/* messageOf */.bD)(error)})`);
            });
        }
        else {
            await (0,promises_.link)(path, csv).catch(() => (0,promises_.copyFile)(path, csv));
        }
        await checkCsv(csv, 'file', inputs.compareKey, signal);
        return { source: 'file', csv, dispose };
    }
    catch (error) {
        await dispose();
        throw error;
    }
}
/** Passes bytes through, failing once more than `limit` of them go by without a line feed. */
class LineLimit extends external_node_stream_.Transform {
    limit;
    /** Bytes since the last line feed. */
    run = 0;
    constructor(limit) {
        super();
        this.limit = limit;
    }
    _transform(chunk, _encoding, done) {
        const first = chunk.indexOf(LF);
        if (first === -1) {
            this.run += chunk.length;
            return this.run > this.limit ? done(new errors/* RecordTooLargeError */.r5('baseline', this.limit)) : done(null, chunk);
        }
        let longest = this.run + first;
        // Lines inside the chunk can be too long only in a chunk longer than the limit.
        for (let at = first; chunk.length - at > this.limit && longest <= this.limit;) {
            const next = chunk.indexOf(LF, at + 1);
            longest = Math.max(longest, (next === -1 ? chunk.length : next) - at - 1);
            if (next === -1)
                break;
            at = next;
        }
        if (longest > this.limit)
            return done(new errors/* RecordTooLargeError */.r5('baseline', this.limit));
        this.run = chunk.length - chunk.lastIndexOf(LF) - 1;
        done(null, chunk);
    }
}
/**
 * Reads a baseline through to its end before anything is spent on it: its header has the key column, it ends where
 * a record may end, and no record is longer than MAX_RECORD_BYTES. Yields to the event loop as it goes, so a
 * cancellation is noticed.
 */
async function checkCsv(csv, source, key, signal) {
    let rows;
    try {
        rows = new keyed_rows/* KeyedRows */.Y9(csv, 'baseline', key);
        for (let n = 1; rows.next(); n++) {
            if (n % 65_536 === 0) {
                await new Promise(resolve => setImmediate(resolve));
                if (signal.aborted)
                    throw new errors/* CancelledError */.cc();
            }
        }
    }
    catch (error) {
        throw asBaselineError(error, source, key);
    }
    finally {
        rows?.close();
    }
}
/** What reading a baseline can fail with, as the BaselineError naming it; any other error as it is. */
function asBaselineError(error, source, key) {
    if (error instanceof keyed_rows/* MissingKeyColumnError */.qP && error.file === 'baseline') {
        return new errors/* BaselineError */.s$(source, `it has no column '${key}'`);
    }
    if (error instanceof errors/* InvalidFileError */.Ou)
        return new errors/* BaselineError */.s$(source, 'it is not a complete CSV file');
    if (error instanceof errors/* RecordTooLargeError */.r5 && error.file === 'baseline') {
        return new errors/* BaselineError */.s$(source, `it has a CSV record over ${(0,format/* formatBytes */.z3)(error.limit)}, longer than any membership row`);
    }
    return error;
}
/** `@actions/artifact` downloads another run's artifact on github.com and GHE.com only. */
function isGhes(serverUrl) {
    const host = new URL(serverUrl || 'https://github.com').hostname.toLowerCase();
    return host !== 'github.com' && !host.endsWith('.ghe.com') && !host.endsWith('.localhost');
}
/**
 * The last delivered export: the artifact of the newest earlier run of this workflow, on this branch, in this
 * repository, that succeeded. Newer runs that did not succeed are passed over (their changes go out again tonight).
 */
async function fromPreviousRun(inputs, token, context) {
    const { toolkit, clock, signal, redact } = context;
    const { env } = toolkit;
    if (isGhes(env.GITHUB_SERVER_URL)) {
        throw new errors/* InputError */.dz(Inputs.CompareWith, "'previous-run' is not available on GitHub Enterprise Server (the artifact client cannot download another " +
            "run's artifact there): compare with a path to an earlier export instead");
    }
    const repository = env.GITHUB_REPOSITORY ?? '';
    const github = new GitHub({
        apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
        repository,
        token,
        clock,
        signal,
        log: toolkit,
        redact,
        requestTimeoutMs: inputs.requestTimeoutMs,
        deadline: clock.now() + inputs.timeoutMs
    });
    try {
        const branch = env.GITHUB_REF_NAME ?? '';
        const current = await github.run(env.GITHUB_RUN_ID ?? '');
        const runs = new Map();
        let passedOver;
        for await (const artifact of github.artifacts(inputs.artifactName)) {
            const { run: listed } = artifact;
            if (listed.id === current.id || listed.headBranch !== branch || listed.fromFork)
                continue;
            if (!runs.has(listed.id))
                runs.set(listed.id, await github.run(String(listed.id)));
            const run = runs.get(listed.id);
            // Never a fork's pull request, whatever its branch is called: its head repository is another one.
            const ours = sameRepository(run.headRepository, repository) && sameRepository(run.repository, repository);
            if (run.workflowId !== current.workflowId || !ours)
                continue;
            if (run.conclusion !== 'success') {
                passedOver ??= { id: run.id, conclusion: run.conclusion ?? 'in progress' };
                continue;
            }
            if (passedOver) {
                toolkit.notice(`Run ${passedOver.id} did not succeed (${passedOver.conclusion}): its changes are included again tonight`);
            }
            if (artifact.expired)
                throw gone(artifact, 'has expired');
            toolkit.info(`Comparing with artifact '${artifact.name}' (id ${artifact.id}) of run ${artifact.run.id}`);
            return await fetchArtifact(artifact, inputs, token, context);
        }
        toolkit.notice(passedOver
            ? `No earlier run delivered an export to compare with (run ${passedOver.id} did not succeed: ` +
                `${passedOver.conclusion}): every member counts as entering (fullSync)`
            : "No earlier export to compare with: every member counts as entering (as in Amplitude's first sync)");
        return undefined;
    }
    finally {
        github.dispose();
    }
}
function sameRepository(name, repository) {
    return name !== null && name.toLowerCase() === repository.toLowerCase();
}
function gone(artifact, why) {
    return new errors/* BaselineGoneError */.$H(`the last delivered export, artifact '${artifact.name}' of run ${artifact.run.id} (${artifact.createdAt}), ${why}`, false);
}
/**
 * Downloads the artifact as its zip (not inflated by the client) and takes out its manifest and membership file,
 * the file inflated no further than the manifest's `bytes`; then checks the file against the manifest's SHA-256.
 */
async function fetchArtifact(artifact, inputs, token, { toolkit, clock, signal }) {
    const { env } = toolkit;
    const runId = artifact.run.id;
    const source = String(runId);
    const dir = await (0,promises_.mkdtemp)((0,external_node_path_.join)((0,external_node_path_.dirname)(inputs.path), '.baseline-'));
    const dispose = () => (0,promises_.rm)(dir, { recursive: true, force: true });
    try {
        const [owner, name] = (env.GITHUB_REPOSITORY ?? '').split('/');
        const { downloadRunArtifact } = await Promise.all(/* import() */[__webpack_require__.e(938), __webpack_require__.e(849)]).then(__webpack_require__.bind(__webpack_require__, 15849));
        const zipDir = (0,external_node_path_.join)(dir, 'zip');
        const zip = await retry({ operation: 'download', maxAttempts: 3, baseMs: 1000, capMs: 30_000 }, {
            clock,
            signal,
            retryable: () => true,
            onRetry: (error, attempt) => toolkit.warning(`Baseline download attempt ${attempt} failed: ${error.message}`)
        }, async () => {
            await (0,promises_.rm)(zipDir, { recursive: true, force: true });
            return downloadRunArtifact(artifact.id, { token, runId, repositoryOwner: owner, repositoryName: name }, zipDir);
        }).catch(error => {
            if (signal.aborted)
                throw new errors/* CancelledError */.cc();
            throw new errors/* BaselineError */.s$(source, `the download failed: ${(0,errors/* messageOf */.bD)(error)}`);
        });
        const files = (0,external_node_path_.join)(dir, 'files');
        const manifest = await extractBounded(zip, files, source);
        const csv = await checkFile(files, manifest, source);
        await (0,promises_.rm)(zipDir, { recursive: true, force: true });
        await checkCsv(csv, source, inputs.compareKey, signal);
        const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
        return {
            source,
            csv,
            manifest,
            runUrl: `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${source}`,
            dispose
        };
    }
    catch (error) {
        await dispose();
        throw error;
    }
}
/**
 * A downloaded (already unzipped) artifact's manifest and membership file, checked against each other. Throws
 * BaselineError when it has no valid manifest, the file is missing, or its SHA-256 is not the manifest's.
 */
async function readDownloaded(dir, source) {
    const manifests = (await (0,promises_.readdir)(dir)).filter(entry => entry.endsWith('.json'));
    if (manifests.length === 0)
        throw new errors/* BaselineError */.s$(source, 'its artifact has no manifest');
    const manifest = readManifest(await (0,promises_.readFile)((0,external_node_path_.join)(dir, manifests[0]), 'utf8'), source);
    return { manifest, csv: await checkFile(dir, manifest, source) };
}
/** The manifest's membership file in `dir`, when its SHA-256 is the manifest's. */
async function checkFile(dir, manifest, source) {
    const csv = (0,external_node_path_.join)(dir, manifest.file);
    const sha256 = await hashFile(csv).catch(() => undefined);
    if (sha256 === undefined)
        throw new errors/* BaselineError */.s$(source, `its artifact has no '${manifest.file}'`);
    if (sha256 !== manifest.sha256) {
        throw new errors/* BaselineError */.s$(source, `its file's SHA-256 (${sha256}) is not the one its manifest records (${manifest.sha256})`);
    }
    return csv;
}
async function hashFile(path) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    await (0,external_node_stream_promises_.pipeline)((0,external_node_fs_.createReadStream)(path), hash);
    return hash.digest('hex');
}

// EXTERNAL MODULE: ./src/change-runs.ts
var change_runs = __webpack_require__(70270);
// EXTERNAL MODULE: ./src/csv.ts
var csv = __webpack_require__(30731);
// EXTERNAL MODULE: ./src/buckets.ts
var buckets = __webpack_require__(34140);
;// CONCATENATED MODULE: ./src/merge-join.ts




/**
 * The comparison of two files that are both in key order, as an export sorted by member ID is: one pass over each,
 * side by side, as `comm` walks two sorted files, with no scratch files and two read buffers of memory. The order is
 * checked on the way; at the first key out of order, the walk gives up and the caller compares by hash instead.
 *
 * Key order: keys that are whole numbers (digits, no leading zero) first, by value; then every other key, byte by
 * byte. So IDs sorted by value, and text keys or IDs of one length sorted as text (`LC_ALL=C sort`), qualify; IDs of
 * different lengths sorted as text (10 before 9) do not, and take the hash join.
 */
const ZERO = 0x30;
const NINE = 0x39;
/** Records between two yields to the event loop, so a cancellation is noticed. */
const YIELD_EVERY = 1 << 16;
/** Whether key bytes are a whole number written without leading zeros. */
function isNumber(buffer, start, end) {
    if (end - start > 1 && buffer[start] === ZERO)
        return false;
    for (let i = start; i < end; i++)
        if (buffer[i] < ZERO || buffer[i] > NINE)
            return false;
    return end > start;
}
/** Negative, 0 or positive as key a comes before, equals or comes after key b in key order. */
function keyOrder(a, aStart, aEnd, aNumber, b, bStart, bEnd, bNumber) {
    if (aNumber !== bNumber)
        return aNumber ? -1 : 1;
    const aLength = aEnd - aStart;
    const bLength = bEnd - bStart;
    if (aNumber && aLength !== bLength)
        return aLength - bLength;
    const length = Math.min(aLength, bLength);
    for (let k = 0; k < length; k++) {
        const d = a[aStart + k] - b[bStart + k];
        if (d !== 0)
            return d;
    }
    return aLength - bLength;
}
/** One file walked in key order: its current row with a non-empty key, each key once. */
class Side {
    rows;
    keyIsNumber = false;
    /** A copy of the last key (the cursor's buffer moves on). */
    last = Buffer.allocUnsafe(64);
    lastLength = -1;
    lastIsNumber = false;
    duplicateKeys = 0;
    outOfOrder = false;
    constructor(path, file, key, maxRecordBytes) {
        this.rows = new keyed_rows/* KeyedRows */.Y9(path, file, key, maxRecordBytes);
    }
    /**
     * Moves to the next row whose key is not a repeat (a repeat goes to the rows' `skip`); false at the end, or when a
     * key comes out of order (`outOfOrder` is set then).
     */
    advance() {
        const { rows } = this;
        while (rows.next()) {
            this.keyIsNumber = isNumber(rows.keyBuffer, rows.keyStart, rows.keyEnd);
            if (this.lastLength >= 0) {
                const order = keyOrder(this.last, 0, this.lastLength, this.lastIsNumber, rows.keyBuffer, rows.keyStart, rows.keyEnd, this.keyIsNumber);
                if (order === 0) {
                    // Repeats are next to each other in key order: the first occurrence counts.
                    this.duplicateKeys++;
                    rows.skip?.(rows);
                    continue;
                }
                if (order > 0) {
                    this.outOfOrder = true;
                    return false;
                }
            }
            this.remember();
            return true;
        }
        return false;
    }
    remember() {
        const { keyBuffer, keyStart, keyEnd } = this.rows;
        const length = keyEnd - keyStart;
        if (length > this.last.length)
            this.last = Buffer.allocUnsafe(length * 2);
        // Byte by byte: keys are short, and a native copy costs more to call than this loop takes.
        const { last } = this;
        for (let k = 0; k < length; k++)
            last[k] = keyBuffer[keyStart + k];
        this.lastLength = length;
        this.lastIsNumber = this.keyIsNumber;
    }
}
/**
 * Compares two files in key order, writing the change files at `out`; undefined when either file is not in key order
 * (what was written at `out` is then to be overwritten or removed by the caller).
 */
async function compareSorted(current, baseline, key, out, { maxRecordBytes, signal } = {}) {
    const writers = [];
    // The new file first: when neither has the key column, the error is about the input.
    const next = new Side(current, 'current', key, maxRecordBytes);
    let base;
    try {
        base = new Side(baseline, 'baseline', key, maxRecordBytes);
        const columns = (0,keyed_rows/* columnChanges */.Wy)(base.rows.names, next.rows.names);
        const open = (path, header) => {
            const writer = new buckets/* BufferedWriter */.dk(path);
            writers.push(writer);
            writer.writeLine(header, 0, header.length);
            return writer;
        };
        const entering = open(out.entering, next.rows.header);
        const exiting = open(out.exiting, base.rows.header);
        const changed = open(out.changed, next.rows.header);
        const skipped = open(out.skipped, next.rows.header);
        next.rows.skip = ({ cursor }) => skipped.writeLine(cursor.buffer, cursor.start, cursor.end);
        const result = {
            method: 'merge',
            entering: 0,
            exiting: 0,
            changed: 0,
            skipped: 0,
            columns,
            baselineMembers: 0,
            emptyKeys: { baseline: 0, current: 0 },
            duplicateKeys: { baseline: 0, current: 0 }
        };
        const walk = {
            base,
            next,
            hasOld: base.advance(),
            hasNew: next.advance(),
            result,
            out: { entering, exiting, changed },
            allChanged: columns.differ
        };
        // In batches, yielding to the event loop between them so a cancellation is noticed.
        while (walkSome(walk, YIELD_EVERY)) {
            await (0,external_node_timers_promises_.setImmediate)();
            signal?.throwIfAborted();
        }
        if (base.outOfOrder || next.outOfOrder)
            return undefined;
        result.emptyKeys = { baseline: base.rows.emptyKeys, current: next.rows.emptyKeys };
        result.duplicateKeys = { baseline: base.duplicateKeys, current: next.duplicateKeys };
        result.skipped = next.rows.emptyKeys + next.duplicateKeys;
        return result;
    }
    finally {
        (0,buckets/* closeAll */.S5)([...writers, next.rows, base?.rows]);
    }
}
/**
 * Walks up to `count` steps; false once the walk is over (both files done, or one out of order). A plain function,
 * so its locals stay in registers rather than in the state an await keeps.
 */
function walkSome(walk, count) {
    const { base, next, result, allChanged } = walk;
    const { entering, exiting, changed } = walk.out;
    let { hasOld, hasNew } = walk;
    let steps = 0;
    for (; steps < count && (hasOld || hasNew) && !base.outOfOrder && !next.outOfOrder; steps++) {
        const order = !hasOld
            ? 1
            : !hasNew
                ? -1
                : keyOrder(base.rows.keyBuffer, base.rows.keyStart, base.rows.keyEnd, base.keyIsNumber, next.rows.keyBuffer, next.rows.keyStart, next.rows.keyEnd, next.keyIsNumber);
        const old = base.rows.cursor;
        const now = next.rows.cursor;
        if (order <= 0)
            result.baselineMembers++;
        if (order < 0) {
            exiting.writeLine(old.buffer, old.start, old.end);
            result.exiting++;
            hasOld = base.advance();
            continue;
        }
        if (order > 0) {
            entering.writeLine(now.buffer, now.start, now.end);
            result.entering++;
        }
        else if (allChanged || !(0,csv/* sameRecord */.qf)(old.buffer, old.start, old.end, now.buffer, now.start, now.end)) {
            changed.writeLine(now.buffer, now.start, now.end);
            result.changed++;
        }
        if (order === 0)
            hasOld = base.advance();
        hasNew = next.advance();
    }
    walk.hasOld = hasOld;
    walk.hasNew = hasNew;
    return steps === count;
}

// EXTERNAL MODULE: ./src/join-worker.ts
var join_worker = __webpack_require__(69610);
// EXTERNAL MODULE: ./src/match.ts
var match = __webpack_require__(14954);
// EXTERNAL MODULE: ./src/spread.ts
var spread = __webpack_require__(36128);
;// CONCATENATED MODULE: ./src/cancel.ts

/**
 * Cancellation the way the runner cancels a job (SIGINT, then SIGTERM): aborts `signal` with a CancelledError that
 * names the signal. `dispose()` removes the handlers.
 */
function cancelOnSignals() {
    const controller = new AbortController();
    const onSignal = (name) => controller.abort(new errors/* CancelledError */.cc(`the run was cancelled (${name})`));
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    return {
        signal: controller.signal,
        dispose: () => {
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
        }
    };
}
/** A promise that rejects with the signal's reason once it aborts (never settles otherwise); removes its listener. */
function rejectOnAbort(signal) {
    let dispose = () => undefined;
    const promise = new Promise((_, reject) => {
        if (signal.aborted)
            return reject(signal.reason);
        const onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        dispose = () => signal.removeEventListener('abort', onAbort);
    });
    promise.catch(() => undefined);
    return { promise, dispose };
}

;// CONCATENATED MODULE: ./src/compare.ts












const BUCKET_BYTES = 4 << 20;
/** The comparison running now, if any: the next one waits for it. */
let running = Promise.resolve();
/**
 * Compares `current` against `baseline` by the column `key`; writes the change files (`workDir` for scratch). One
 * comparison at a time in the process (several cohorts may finish together): each already keeps both threads busy,
 * so running two at once would not finish sooner, and memory stays that of one.
 */
function compareMemberships(current, baseline, key, out, workDir, options = {}) {
    const previous = running;
    const comparison = (async () => {
        try {
            // A cancellation does not wait for the comparison before this one.
            await abortable(previous, options.signal);
            options.signal?.throwIfAborted();
            return await compareNow(current, baseline, key, out, workDir, options);
        }
        catch (error) {
            // A failed comparison leaves no change file (not even one of an earlier export at that name).
            for (const file of Object.values(out))
                await (0,promises_.rm)(file, { force: true });
            throw error;
        }
    })();
    running = Promise.allSettled([previous, comparison]);
    return comparison;
}
/** `promise`, or the signal's reason as soon as it aborts. */
async function abortable(promise, signal) {
    if (!signal)
        return promise;
    const aborted = rejectOnAbort(signal);
    try {
        return await Promise.race([promise, aborted.promise]);
    }
    finally {
        aborted.dispose();
    }
}
async function compareNow(current, baseline, key, out, workDir, options) {
    const partial = {
        entering: `${out.entering}.partial`,
        exiting: `${out.exiting}.partial`,
        changed: `${out.changed}.partial`,
        skipped: `${out.skipped}.partial`
    };
    try {
        // Files in key order (an export sorted by ID) take one pass; any other order is found early on, at its first key
        // out of order, and takes the hash join.
        const result = (await compareSorted(current, baseline, key, partial, options)) ??
            (await compareHashed(current, baseline, key, partial, workDir, options));
        options.signal?.throwIfAborted();
        await (0,promises_.rename)(partial.entering, out.entering);
        await (0,promises_.rename)(partial.exiting, out.exiting);
        await (0,promises_.rename)(partial.changed, out.changed);
        await (0,promises_.rename)(partial.skipped, out.skipped);
        return result;
    }
    finally {
        for (const file of Object.values(partial))
            await (0,promises_.rm)(file, { force: true });
    }
}
/** The hash join: both files spread over bucket files, matched bucket by bucket, the change runs merged. */
async function compareHashed(current, baseline, key, partial, workDir, { maxRecordBytes, signal }) {
    const sizes = (await (0,promises_.stat)(current)).size + (await (0,promises_.stat)(baseline)).size;
    const count = Math.min(256, Math.max(1, Math.ceil(sizes / BUCKET_BYTES)));
    const dir = await (0,promises_.mkdtemp)((0,external_node_path_.join)(workDir, '.compare-'));
    let helper;
    try {
        helper = (0,join_worker/* startJoinHelper */.J)(signal);
        // Both files at once, the baseline in the helper thread (both headers were checked by compareSorted).
        const other = helper.spread({
            path: baseline,
            file: 'baseline',
            key,
            dir,
            name: 'b',
            count,
            maxRecordBytes
        });
        other.catch(() => undefined);
        const next = await (0,spread/* spreadHere */.S)({
            path: current,
            file: 'current',
            key,
            dir,
            name: 'c',
            count,
            maxRecordBytes,
            skippedRun: (0,external_node_path_.join)(dir, 'c.s')
        }, signal);
        const base = await other;
        const columns = (0,keyed_rows/* columnChanges */.Wy)(base.names, next.names);
        // Half the buckets each.
        const buckets = Array.from({ length: count }, (_, b) => b);
        const task = (name, half) => ({
            dir,
            name,
            buckets: buckets.filter(b => b % 2 === half),
            columnsDiffer: columns.differ
        });
        const theirs = helper.match(task('r1', 1));
        theirs.catch(() => undefined);
        const parts = [await (0,match/* matchBuckets */.Z)(task('r0', 0), signal), await theirs];
        const sum = (count) => parts.reduce((total, part) => total + count(part), 0);
        const runs = (kind) => parts.flatMap(part => part.runs[kind]);
        await (0,change_runs/* mergeRuns */.r)(runs('entering'), partial.entering, next.header, signal);
        await (0,change_runs/* mergeRuns */.r)(runs('changed'), partial.changed, next.header, signal);
        await (0,change_runs/* mergeRuns */.r)(runs('exiting'), partial.exiting, base.header, signal);
        const skipped = [...(next.skipped ? [next.skipped] : []), ...runs('skipped')];
        await (0,change_runs/* mergeRuns */.r)(skipped, partial.skipped, next.header, signal);
        return {
            method: 'hash',
            entering: sum(part => part.entering),
            exiting: sum(part => part.exiting),
            changed: sum(part => part.changed),
            skipped: next.emptyKeys + sum(part => part.duplicateKeys.current),
            columns,
            baselineMembers: sum(part => part.baselineMembers),
            emptyKeys: { baseline: base.emptyKeys, current: next.emptyKeys },
            duplicateKeys: {
                baseline: sum(part => part.duplicateKeys.baseline),
                current: sum(part => part.duplicateKeys.current)
            }
        };
    }
    finally {
        // The thread first: it closes its files (also when cancelled) before their folder goes.
        await helper?.stop();
        await (0,promises_.rm)(dir, { recursive: true, force: true });
    }
}
/**
 * No baseline: as Amplitude's first sync, every member is entering: the entering file is the membership file, the
 * exiting, changed and skipped files hold its header only (the whole list is replaced: nothing needs matching).
 */
async function firstExport(current, out) {
    await (0,promises_.copyFile)(current, out.entering);
    const header = await (0,csv/* headerOf */.rR)(current);
    await (0,promises_.writeFile)(out.exiting, header);
    await (0,promises_.writeFile)(out.changed, header);
    await (0,promises_.writeFile)(out.skipped, header);
}

;// CONCATENATED MODULE: ./src/history.ts
/** The manifest keeps this many exports at most, tonight's included. */
const HISTORY_LIMIT = 30;
/** Longest string kept from a previous manifest: request IDs and ISO dates are far shorter. */
const MAX_TEXT = 128;
/**
 * The baseline manifest's history (oldest first; may be undefined or malformed: validate every entry, drop bad ones)
 * plus this run, capped to the last 30.
 *
 * The previous manifest is an artifact anyone with write access could have replaced, so nothing is trusted: a
 * `previous` that is not an array counts as no history, and each entry is kept only if it has the expected shape
 * (strings of sensible length, counts that are non-negative safe integers). Kept entries are copied field by field,
 * so unknown fields do not ride along into the next manifest. A missing `enteringCount`/`exitingCount` reads as null
 * (no comparison ran). An entry with tonight's request ID is dropped: one export is never counted twice.
 * The given order is kept (not re-sorted by date, which may be unparsable).
 */
function nextHistory(previous, current) {
    const kept = Array.isArray(previous)
        ? previous
            .map(toEntry)
            .filter((e) => e !== undefined && e.requestId !== current.requestId)
        : [];
    return [...kept.slice(-(HISTORY_LIMIT - 1)), { ...current }];
}
function toEntry(value) {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
        return undefined;
    const { exportedAt, requestId, memberCount, enteringCount, exitingCount, requests } = value;
    if (!history_isText(exportedAt) || !history_isText(requestId) || !history_isCount(memberCount))
        return undefined;
    const entering = optionalCount(enteringCount);
    const exiting = optionalCount(exitingCount);
    if (entering === undefined || exiting === undefined)
        return undefined;
    const entry = {
        exportedAt,
        requestId,
        memberCount,
        enteringCount: entering,
        exitingCount: exiting
    };
    // Kept only when valid; budget.ts reads a missing one as 1 (every export before the field spent one).
    if (history_isCount(requests) && requests <= 1)
        entry.requests = requests;
    return entry;
}
/** Null for a missing count, undefined for an invalid one. */
function optionalCount(value) {
    if (value === undefined || value === null)
        return null;
    return history_isCount(value) ? value : undefined;
}
function history_isText(value) {
    return typeof value === 'string' && value.length > 0 && value.length <= MAX_TEXT;
}
function history_isCount(value) {
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

;// CONCATENATED MODULE: ./src/changes.ts









/** More members would exit than `max-exiting` allows: most likely a broken cohort definition, not real churn. */
class MassExitError extends Error {
    exiting;
    limit;
    baselineMembers;
    constructor(exiting, 
    /** The limit as given: `50`, or `5% (50 of 1000)`. */
    limit, baselineMembers) {
        super(`${exiting} of the baseline's ${baselineMembers} members would exit, more than the limit of ${limit}`);
        this.exiting = exiting;
        this.limit = limit;
        this.baselineMembers = baselineMembers;
        this.name = 'MassExitError';
    }
}
/**
 * The comparison with the last export: the baseline is found (and fetched) before the export spends a cohort
 * request; after the download, the change files and the manifest are written beside the membership file.
 */
class Changes {
    inputs;
    baseline;
    context;
    constructor(inputs, baseline, context) {
        this.inputs = inputs;
        this.baseline = baseline;
        this.context = context;
    }
    static async prepare(inputs, context) {
        return new Changes(inputs, await findBaseline(inputs, context), context);
    }
    async dispose() {
        await this.baseline?.dispose();
    }
    /** The exports recorded in the baseline's manifest (none for a file baseline or a first export). */
    get baselineHistory() {
        return this.baseline?.manifest?.history;
    }
    /**
     * Compares, writes the change files and the manifest; returns the report and the files to deliver. When it fails
     * (or the run is cancelled meanwhile), it leaves no change file and no manifest beside `path`.
     */
    async compute(membership, facts) {
        const paths = siblings(membership.path);
        try {
            const computed = await this.write(membership, facts, paths);
            this.context.signal.throwIfAborted();
            return computed;
        }
        catch (error) {
            const { entering, exiting, changed, skipped, manifest } = paths;
            for (const file of [entering, exiting, changed, skipped, manifest])
                await (0,promises_.rm)(file, { force: true });
            throw error;
        }
    }
    async write(membership, facts, paths) {
        const { inputs } = this;
        const columns = (0,csv/* parseFields */.L5)(...asRecord(await (0,csv/* headerOf */.rR)(membership.path)));
        let report = {
            baseline: 'none',
            fullSync: null,
            entering: null,
            exiting: null,
            changed: null,
            skipped: null,
            files: {},
            history: []
        };
        if (inputs.compareWith.kind !== 'none') {
            const files = {
                entering: paths.entering,
                exiting: paths.exiting,
                changed: paths.changed,
                skipped: paths.skipped
            };
            if (!this.baseline) {
                // findBaseline() said why there is none (a first export, or a lost one with 'on-missing-baseline: full').
                await firstExport(membership.path, files);
                report = {
                    ...report,
                    fullSync: true,
                    entering: membership.members,
                    exiting: 0,
                    changed: 0,
                    skipped: 0,
                    files
                };
            }
            else {
                const result = await this.context.toolkit.group('Compare with the last export', () => this.compare(membership.path, files));
                report = {
                    ...report,
                    baseline: this.baseline.source,
                    baselineUrl: this.baseline.runUrl,
                    fullSync: false,
                    entering: result.entering,
                    exiting: result.exiting,
                    changed: result.changed,
                    skipped: result.skipped,
                    files
                };
            }
        }
        // The chain of manifests is the history: the baseline's, plus this export.
        report.history = nextHistory(this.baseline?.manifest?.history, {
            exportedAt: facts.exportedAt,
            requestId: facts.requestId,
            memberCount: membership.members,
            enteringCount: report.entering,
            exitingCount: report.exiting,
            // A resumed export (`request-id`) spent no cohort request tonight.
            requests: inputs.requestId ? 0 : 1
        });
        const manifest = {
            version: 1,
            cohortId: facts.cohortId,
            requestId: facts.requestId,
            finalStatus: facts.finalStatus,
            exportedAt: facts.exportedAt,
            file: (0,external_node_path_.basename)(membership.path),
            memberCount: membership.members,
            bytes: membership.bytes,
            sha256: membership.sha256,
            columns,
            includeProps: inputs.includeProps,
            propKeys: inputs.propKeys,
            baseline: report.baseline,
            fullSync: report.fullSync,
            enteringCount: report.entering,
            exitingCount: report.exiting,
            changedCount: report.changed,
            skippedCount: report.skipped,
            history: report.history
        };
        await (0,promises_.writeFile)(paths.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
        const files = [
            membership.path,
            ...Object.values(report.files).filter(f => f !== undefined),
            paths.manifest
        ];
        return { report, files };
    }
    async compare(current, files) {
        const baseline = this.baseline;
        const { inputs } = this;
        const { toolkit } = this.context;
        let result;
        try {
            result = await compareMemberships(current, baseline.csv, inputs.compareKey, files, (0,external_node_path_.dirname)(current), {
                signal: this.context.signal
            });
        }
        catch (error) {
            if (error instanceof keyed_rows/* MissingKeyColumnError */.qP && error.file === 'current') {
                throw new errors/* InputError */.dz(Inputs.CompareKey, `names the column '${inputs.compareKey}', which the new file does not have (its columns: ${error.columns.join(', ')})`);
            }
            throw asBaselineError(error, baseline.source, inputs.compareKey);
        }
        toolkit.info(result.method === 'merge'
            ? `Both files are in '${inputs.compareKey}' order: compared in one pass`
            : `The files are not both in '${inputs.compareKey}' order: compared by hash`);
        // The baseline's are left out; tonight's go to the skipped file.
        const where = (file) => file === 'current' ? `in ${(0,external_node_path_.basename)(files.skipped)}` : 'left out of the change files';
        for (const [file, count] of Object.entries(result.emptyKeys)) {
            if (count > 0) {
                toolkit.warning(`${file}: ${count} rows with an empty '${inputs.compareKey}' cannot be matched, and are ${where(file)}`);
            }
        }
        for (const [file, count] of Object.entries(result.duplicateKeys)) {
            if (count > 0) {
                toolkit.warning(`${file}: ${count} rows repeat an earlier '${inputs.compareKey}'; the first occurrence counts, the others ` +
                    `are ${where(file)}`);
            }
        }
        if (result.columns.differ)
            toolkit.notice(columnsNotice(result.columns));
        // A count, or a share of the baseline's members (with a non-empty key, each counted once).
        const max = inputs.maxExiting;
        if (max) {
            const limit = 'count' in max ? max.count : (result.baselineMembers * max.percent) / 100;
            const text = 'count' in max ? String(max.count) : `${max.percent}% (${limit} of ${result.baselineMembers})`;
            if (result.exiting > limit)
                throw new MassExitError(result.exiting, text, result.baselineMembers);
        }
        return result;
    }
}
/** What the notice says when the columns differ: the names added and removed, or that only their order changed. */
function columnsNotice(columns) {
    // Names as the files have them, shortened, and not too many.
    const shown = (name) => `'${name.length > 60 ? `${name.slice(0, 60)}…` : name}'`;
    const list = (names) => names.slice(0, 20).map(shown).join(', ') + (names.length > 20 ? ` and ${names.length - 20} more` : '');
    const what = [
        ...(columns.added.length ? [`added ${list(columns.added)}`] : []),
        ...(columns.removed.length ? [`removed ${list(columns.removed)}`] : [])
    ];
    return (`The columns differ from the baseline's (${what.length ? what.join('; ') : 'the same names in another order'}): ` +
        'members are matched by key, and every member in both files counts as changed');
}
/** A header buffer as the arguments of parseFields. */
function asRecord(header) {
    return [header, 0, header.length];
}

;// CONCATENATED MODULE: ./src/advice.ts




/**
 * The edge where facts become advice: the message a failed run ends with, naming the inputs to change. The modules
 * below only state what happened.
 */
function describeFailure(error) {
    if (error instanceof errors/* AmplitudeRefusedError */.Uz) {
        if (error.reason === 'credentials') {
            return (`${error.message}. Check that '${Inputs.ApiKey}' and '${Inputs.SecretKey}' (or '${Inputs.BasicAuth}') ` +
                `belong to the project that owns the cohort, and that '${Inputs.Region}' matches it (EU projects use 'eu').`);
        }
        if (error.reason === 'not-found')
            return `${error.message}. Check '${Inputs.CohortId}' and '${Inputs.Region}'.`;
        return error.message;
    }
    if (error instanceof errors/* UnknownRequestError */.eg) {
        return `${error.message}: an export's file is kept for seven days. Remove '${Inputs.RequestId}' to request a new export.`;
    }
    if (error instanceof errors/* JobFailedError */.dk) {
        return `${error.message} Check the cohort in Amplitude and re-run; each run spends one of the monthly cohort requests.`;
    }
    if (error instanceof errors/* JobTimeoutError */.$G) {
        return (`the export job did not complete within '${Inputs.Timeout}' (${error.limit}): last status ${error.lastStatus} ` +
            `after ${error.waited} and ${error.polls} status requests. Large cohorts can take several minutes: raise ` +
            `'${Inputs.Timeout}' if this repeats.`);
    }
    if (error instanceof errors/* GaveUpError */.jD)
        return describeGiveUp(error);
    if (error instanceof errors/* RequestBudgetError */.tD) {
        const input = Inputs.MonthlyRequestBudget;
        return (`${error.message} (UTC), so it was not sent ('${input}': ${error.budget}). To go on: wait until ` +
            `${error.resetsOn}, when the count starts again; raise '${input}'; or resume an export already requested ` +
            `with '${Inputs.RequestId}', which spends no cohort request.`);
    }
    if (error instanceof errors/* CohortNotFoundError */.DM)
        return `${error.message}. Check '${Inputs.CohortId}' and '${Inputs.Region}'.`;
    if (error instanceof errors/* CohortArchivedError */.Aj) {
        return (`${error.message}: its export would be a list nobody keeps up to date. Unarchive it in Amplitude, or remove ` +
            `it from '${Inputs.CohortId}'.`);
    }
    if (error instanceof errors/* CohortTooSmallError */.TF) {
        return (`${error.message}, fewer than '${Inputs.MinMembers}' (${error.minimum}): a real run would spend a cohort ` +
            `request and then refuse the file. Check the cohort in Amplitude, or lower '${Inputs.MinMembers}'.`);
    }
    if (error instanceof errors/* TooFewMembersError */.OF) {
        return (`the cohort file has ${error.members} members, fewer than '${Inputs.MinMembers}' (${error.minimum}); not ` +
            'keeping it, so downstream jobs never import a broken or empty cohort');
    }
    if (error instanceof errors/* GitHubAccessError */.Cx) {
        return (`Input '${Inputs.GithubToken}' cannot read this repository's workflow runs and artifacts (${error.message}): ` +
            `'${Inputs.CompareWith}: previous-run' needs a token with the 'actions: read' permission (add ` +
            "'permissions: actions: read' to the job, or pass a token that has it).");
    }
    if (error instanceof errors/* GitHubRateLimitError */.Rr) {
        return (`${error.message}, and it asked to wait ${(0,format/* formatDuration */.a3)(error.waitMs)}, longer than '${Inputs.Timeout}' ` +
            'leaves: no cohort request was spent. Re-run later, or give the step a token of its own with a higher limit ' +
            `as '${Inputs.GithubToken}'.`);
    }
    if (error instanceof errors/* BaselineGoneError */.$H) {
        const cause = error.file
            ? `Without it, who left cannot be known. A first run has no baseline file yet: set '${Inputs.OnMissingBaseline}: full' for it.`
            : 'Without it, who left since cannot be known (an outage longer than the retention days?).';
        return (`${error.message}. ${cause} To recover, set '${Inputs.OnMissingBaseline}: full' for one run: it delivers ` +
            `the whole list with fullSync 'true', which the import must apply as a full replacement of 'cohortFile'. ` +
            'No cohort request was spent.');
    }
    if (error instanceof MassExitError) {
        return (`${error.message} ('${Inputs.MaxExiting}'): nothing was uploaded, so a broken cohort definition never empties a ` +
            `downstream list. Check the cohort in Amplitude; if the change is real, raise '${Inputs.MaxExiting}' for this run.`);
    }
    if (error instanceof errors/* BaselineError */.s$) {
        const recover = error.source === 'file'
            ? `Check the file given as '${Inputs.CompareWith}'`
            : `To recover, run once with '${Inputs.CompareWith}: none' and import 'cohortFile' as a full replacement: ` +
                'the next run compares with that export';
        return `${error.message}. Nothing was uploaded. ${recover}.`;
    }
    if (error instanceof errors/* WriteError */.QM)
        return `could not write the file beside '${Inputs.Path}': ${error.code}`;
    if (error instanceof errors/* ArtifactError */.nE && error.conflict !== undefined) {
        return `${error.message}. Set '${Inputs.Overwrite}: true' to replace it, or choose another '${Inputs.ArtifactName}'.`;
    }
    return (0,errors/* messageOf */.bD)(error);
}
function describeGiveUp(error) {
    const cause = describeFailure(error.cause);
    switch (error.reason) {
        case 'wait-too-long':
            return `${cause}; Amplitude asked to wait ${(0,format/* formatDuration */.a3)(error.waitMs)}, too long to retry`;
        case 'deadline':
            return `${cause}; no time left within '${Inputs.Timeout}' to retry`;
        case 'attempts':
            return error.operation === 'download'
                ? `the download failed after ${error.attempts} attempts: ${cause}`
                : `${cause}; gave up after ${error.attempts} attempts`;
    }
}
/** How long Amplitude keeps an export's file link: a failed run can resume the export within this. */
const RESUMABLE_MS = 7 * 24 * 3600_000;
/**
 * The way to resume after a failure once step 1 spent a cohort request: the `request-id` line to add and until when
 * it works. Nothing when resuming cannot help (the job itself failed, or Amplitude no longer knows the request).
 */
function resumeHint(error, resumable, 
/** Set for one of several cohorts: `request-id` takes a step of that cohort alone. */
cohortId) {
    if (!resumable || error instanceof errors/* JobFailedError */.dk || error instanceof errors/* UnknownRequestError */.eg)
        return '';
    const until = resumable.requestedAt === undefined
        ? 'for seven days after it was first requested'
        : `until ${new Date(resumable.requestedAt + RESUMABLE_MS).toISOString()}`;
    if (cohortId !== undefined) {
        // One of several cohorts: request-id resumes one export, so in a step of its own for this cohort.
        return (`\nTo retry without spending another cohort request, resume export request '${resumable.requestId}' ` +
            `(valid ${until}) in a step of its own with these inputs (and a file name as 'path'):\n` +
            `cohort-id: ${cohortId}\nrequest-id: ${resumable.requestId}`);
    }
    return (`\nTo retry without spending another cohort request, resume export request '${resumable.requestId}' ` +
        `(valid ${until}) by adding this input to the step:\nrequest-id: ${resumable.requestId}`);
}
/**
 * What a failed export reports: what went wrong (the cancellation, once the run is cancelled, whatever failed after
 * it) and, when it can be resumed, how.
 */
function failureMessage(error, signal, resumable, cohortId) {
    const failure = signal.aborted ? signal.reason : error;
    return describeFailure(failure) + resumeHint(failure, resumable, cohortId);
}

;// CONCATENATED MODULE: ./src/deliver.ts


/**
 * Delivery of the membership file as a workflow artifact, and what must hold before an export starts so that the
 * file can be delivered. The artifact client (most of the bundle) is imported only when it is needed.
 */
class Delivery {
    toolkit;
    upload;
    constructor(inputs, toolkit) {
        this.toolkit = toolkit;
        if (inputs.uploadArtifact) {
            this.upload = {
                name: inputs.artifactName,
                retentionDays: inputs.retentionDays,
                compressionLevel: inputs.compressionLevel,
                overwrite: inputs.overwrite
            };
        }
    }
    /** The upload needs the Actions runtime of github.com or GHE.com: checked before anything else is spent. */
    requireRuntime() {
        const { env } = this.toolkit;
        if (this.upload && onEnterpriseServer(env.GITHUB_SERVER_URL)) {
            throw new errors/* InputError */.dz(Inputs.UploadArtifact, 'is not available on GitHub Enterprise Server: the artifact client this action uses (@actions/artifact 6) ' +
                "refuses GHES. Set 'upload-artifact: false' and use the file at 'cohortFile' in this job, or upload it with " +
                'the artifact action your server supports');
        }
        if (this.upload && (!env.ACTIONS_RUNTIME_TOKEN || !env.ACTIONS_RESULTS_URL)) {
            throw new errors/* InputError */.dz(Inputs.UploadArtifact, 'needs the GitHub Actions runtime (ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set): outside a ' +
                "workflow run, set 'upload-artifact: false'");
        }
    }
    /**
     * Before a monthly cohort request is spent: a re-run ("Re-run all jobs") finds the artifact its first attempt
     * uploaded, so the name is checked then (unless `overwrite`). A first attempt skips the check, so the export starts
     * at once.
     */
    async checkName() {
        if (this.upload && Number(this.toolkit.env.GITHUB_RUN_ATTEMPT || '1') > 1) {
            const { checkArtifactName } = await Promise.all(/* import() */[__webpack_require__.e(938), __webpack_require__.e(849)]).then(__webpack_require__.bind(__webpack_require__, 15849));
            await checkArtifactName(this.upload, this.toolkit);
        }
    }
    /** Uploads the files (the membership file first); undefined when `upload-artifact` is false. */
    async deliver(files) {
        const upload = this.upload;
        if (!upload)
            return undefined;
        return this.toolkit.group('Upload the artifact', async () => {
            const { uploadMembership } = await Promise.all(/* import() */[__webpack_require__.e(938), __webpack_require__.e(849)]).then(__webpack_require__.bind(__webpack_require__, 15849));
            return uploadMembership(files, upload, this.toolkit, this.toolkit.env);
        });
    }
}
/**
 * Whether the run is on GitHub Enterprise Server, as `@actions/artifact` decides it (it refuses every call there):
 * any server but github.com, GHE.com (data residency) and *.localhost.
 */
function onEnterpriseServer(serverUrl) {
    const host = new URL(serverUrl || 'https://github.com').hostname.toLowerCase();
    return host !== 'github.com' && !host.endsWith('.ghe.com') && !host.endsWith('.localhost');
}

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(48161);
// EXTERNAL MODULE: ./node_modules/parse-duration/index.js + 1 modules
var parse_duration = __webpack_require__(97595);
;// CONCATENATED MODULE: ./src/duration.ts

// `250ms`, `5s`, `2m`, `1h30m`, `1.5h`: one or more number+unit pairs, nothing else. parse-duration does the
// arithmetic; the pattern keeps it from accepting the free text it also tolerates ("about 5 apples").
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const BARE_SECONDS = /^\d+(?:\.\d+)?$/;
/** Parses a duration input into milliseconds; returns undefined when the text is not a duration. */
function parseDuration(text) {
    const value = text.trim().toLowerCase();
    if (BARE_SECONDS.test(value))
        return Math.round(Number(value) * 1000);
    if (!DURATION.test(value))
        return undefined;
    const ms = (0,parse_duration/* default */.A)(value);
    return ms === null || !Number.isFinite(ms) ? undefined : Math.round(ms);
}

;// CONCATENATED MODULE: ./src/cohorts.ts



/**
 * Several cohorts in one step: `cohort-id` as a list, and what each cohort's export gets from the inputs — its file
 * `amplitude-cohort-<id>.csv` in the `path` folder, its artifact named by `artifact-name` with `{cohort-id}`
 * replaced, and its baseline file in a `compare-with` folder.
 */
const MAX_COHORTS = 20;
const COHORT_PLACEHOLDER = '{cohort-id}';
// Amplitude cohort IDs are short alphanumeric strings; anything else (`/`, `..`, `%2F`, spaces, control characters)
// could change which API path is requested, so it is refused rather than escaped.
const COHORT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
/** The cohort IDs of `cohort-id`: one, or several separated by commas or line breaks. */
function parseCohortIds(value) {
    const ids = value
        .split(/[,\r\n]/)
        .map(id => id.trim())
        .filter(id => id !== '');
    if (ids.length === 0) {
        throw new errors/* InputError */.dz(Inputs.CohortId, 'is required: the ID of the Amplitude behavioral cohort');
    }
    const bad = ids.find(id => !COHORT_ID.test(id));
    if (bad !== undefined) {
        throw new errors/* InputError */.dz(Inputs.CohortId, `must be a plain cohort ID (letters, digits, '-' and '_'), got '${bad.replace(/[^\x20-\x7e]/g, '?')}'`);
    }
    const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
    if (repeated !== undefined)
        throw new errors/* InputError */.dz(Inputs.CohortId, `lists '${repeated}' twice`);
    // Windows and macOS runners' file systems ignore case: `amplitude-cohort-abc.csv` and `…-ABC.csv` would be one
    // file, each export overwriting the other's. Two IDs that differ only in case are almost surely one cohort typed
    // twice, so they are refused on every runner (a workflow must not pass on Linux and break on macOS), rather than
    // given file names that no longer say which cohort they hold.
    const folded = ids.map(id => id.toLowerCase());
    const clash = folded.findIndex((id, i) => folded.indexOf(id) !== i);
    if (clash !== -1) {
        throw new errors/* InputError */.dz(Inputs.CohortId, `lists '${ids[folded.indexOf(folded[clash])]}' and '${ids[clash]}', which differ only in case: their files ` +
            'would be one file on Windows and macOS runners. List each cohort once, as Amplitude spells its ID');
    }
    if (ids.length > MAX_COHORTS) {
        throw new errors/* InputError */.dz(Inputs.CohortId, `lists ${ids.length} cohorts: at most ${MAX_COHORTS} in one step`);
    }
    return ids;
}
/** The file name of a cohort's export in a folder (several cohorts, or a `compare-with` folder). */
function cohortFileName(cohortId) {
    return `amplitude-cohort-${cohortId}.csv`;
}
/** What one cohort's export gets from the inputs of a step that exports several. */
function cohortInputs(inputs, cohortId) {
    const compare = inputs.compareWith;
    return {
        ...inputs,
        cohortId,
        cohorts: [cohortId],
        path: (0,external_node_path_.join)(inputs.path, cohortFileName(cohortId)),
        artifactName: inputs.artifactName.split(COHORT_PLACEHOLDER).join(cohortId),
        compareWith: compare.kind === 'file'
            ? {
                kind: 'file',
                path: (0,external_node_path_.join)(compare.path, cohortFileName(cohortId)),
                given: (0,external_node_path_.join)(compare.given, cohortFileName(cohortId))
            }
            : compare
    };
}

;// CONCATENATED MODULE: ./src/compare-inputs.ts



function parseCompareWith(read, env, token) {
    const value = read(Inputs.CompareWith);
    if (value === '' || value === 'none')
        return { kind: 'none' };
    if (value === 'previous-run') {
        if (!token) {
            throw new errors/* InputError */.dz(Inputs.GithubToken, `is required with '${Inputs.CompareWith}: previous-run' (the default is \${{ github.token }})`);
        }
        return { kind: 'previous-run', token };
    }
    if (/[\r\n]/.test(value))
        throw new errors/* InputError */.dz(Inputs.CompareWith, 'must be none, previous-run or one path');
    // Relative to the workspace; an absolute path stays as it is.
    const path = (0,external_node_path_.resolve)(env.GITHUB_WORKSPACE || process.cwd(), value);
    return { kind: 'file', path, given: value };
}
function parseCompareKey(read) {
    const value = read(Inputs.CompareKey);
    if (value === '') {
        throw new errors/* InputError */.dz(Inputs.CompareKey, `must name the column that identifies a member (such as ${Defaults.compareKey})`);
    }
    if ([...value].some(c => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
        throw new errors/* InputError */.dz(Inputs.CompareKey, 'must not contain control characters');
    }
    return value;
}
function parseMaxExiting(read) {
    const value = read(Inputs.MaxExiting);
    if (value === '')
        return undefined;
    const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(value);
    if (percent && Number(percent[1]) <= 100)
        return { percent: Number(percent[1]) };
    if (/^\d+$/.test(value) && Number.isSafeInteger(Number(value)))
        return { count: Number(value) };
    throw new errors/* InputError */.dz(Inputs.MaxExiting, `must be a whole number of members or a percentage of the baseline from 0% to 100% (such as 5%), got '${value}'`);
}
function parseOnMissingBaseline(read) {
    const value = read(Inputs.OnMissingBaseline).toLowerCase();
    if (value === '' || value === 'fail')
        return 'fail';
    if (value === 'full')
        return 'full';
    throw new errors/* InputError */.dz(Inputs.OnMissingBaseline, `must be 'fail' or 'full', got '${read(Inputs.OnMissingBaseline)}'`);
}

;// CONCATENATED MODULE: ./src/credentials.ts


const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** The credential inputs, read once. Every secret form is masked before anything else can log or fail. */
class Credentials {
    apiKey;
    secretKey;
    basicAuth;
    /** The `github-token` input ('' when not given): a secret too. */
    githubToken;
    constructor(read, toolkit, redactor) {
        this.apiKey = read(Inputs.ApiKey);
        this.secretKey = read(Inputs.SecretKey);
        this.basicAuth = read(Inputs.BasicAuth);
        this.githubToken = read(Inputs.GithubToken);
        for (const form of this.forms()) {
            toolkit.setSecret(form);
            redactor.add(form);
        }
    }
    /**
     * The key, the secret, the base64 of `key:secret`, the `basic-auth` value and the pieces it decodes to, the GitHub
     * token and its base64: every form a credential may show up in.
     */
    forms() {
        const { apiKey, secretKey, basicAuth } = this;
        const forms = new Set([apiKey, secretKey, basicAuth, this.githubToken]);
        if (this.githubToken)
            forms.add(Buffer.from(this.githubToken).toString('base64'));
        if (apiKey && secretKey)
            forms.add(Buffer.from(`${apiKey}:${secretKey}`).toString('base64'));
        if (basicAuth) {
            const decoded = Buffer.from(basicAuth, 'base64').toString('utf8');
            const colon = decoded.indexOf(':');
            if (colon > 0) {
                forms.add(decoded);
                forms.add(decoded.slice(0, colon));
                forms.add(decoded.slice(colon + 1));
            }
        }
        return [...forms].filter(s => s.trim().length > 0);
    }
    /** The Authorization header's value; throws an InputError naming the credential input that is wrong. */
    authorization() {
        const { apiKey, secretKey, basicAuth } = this;
        const pair = apiKey !== '' || secretKey !== '';
        if (pair && basicAuth) {
            throw new errors/* InputError */.dz(Inputs.BasicAuth, `cannot be combined with '${Inputs.ApiKey}'/'${Inputs.SecretKey}': give either the key pair or 'basic-auth', not both`);
        }
        if (basicAuth) {
            const decoded = BASE64.test(basicAuth) ? Buffer.from(basicAuth, 'base64').toString('utf8') : '';
            const colon = decoded.indexOf(':');
            if (colon <= 0 || colon === decoded.length - 1) {
                throw new errors/* InputError */.dz(Inputs.BasicAuth, 'must be the base64 encoding of \'api_key:secret_key\' (for example the output of `printf %s "$KEY:$SECRET" | base64 -w0`)');
            }
            return `Basic ${basicAuth}`;
        }
        if (!apiKey) {
            throw new errors/* InputError */.dz(Inputs.ApiKey, pair
                ? `is required with '${Inputs.SecretKey}': pass both from secrets, or 'basic-auth' alone`
                : `is required: pass '${Inputs.ApiKey}' and '${Inputs.SecretKey}' from secrets (or 'basic-auth')`);
        }
        if (!secretKey) {
            throw new errors/* InputError */.dz(Inputs.SecretKey, `is required with '${Inputs.ApiKey}': pass it from secrets`);
        }
        if (apiKey.includes(':'))
            throw new errors/* InputError */.dz(Inputs.ApiKey, "must not contain ':'");
        if (/[\r\n]/.test(apiKey))
            throw new errors/* InputError */.dz(Inputs.ApiKey, 'must be a single line');
        if (/[\r\n]/.test(secretKey))
            throw new errors/* InputError */.dz(Inputs.SecretKey, 'must be a single line');
        return `Basic ${Buffer.from(`${apiKey}:${secretKey}`).toString('base64')}`;
    }
}

;// CONCATENATED MODULE: ./src/inputs.ts








// The characters @actions/artifact refuses in an artifact name.
const ARTIFACT_NAME_FORBIDDEN = /[":<>|*?\r\n\\/]/;
// The longest a Node.js timer can wait (about 24.8 days): a longer duration would fire at once instead.
const MAX_DURATION_MS = 2 ** 31 - 1;
/** `true`/`false`/`1`/`0` (any case); empty gives the default. */
function parseBoolean(read, name, fallback) {
    const value = read(name).toLowerCase();
    if (value === '')
        return fallback;
    if (value === 'true' || value === '1')
        return true;
    if (value === 'false' || value === '0')
        return false;
    throw new errors/* InputError */.dz(name, `must be 'true' or 'false' (or 1/0), got '${read(name)}'`);
}
function parseInteger(read, name, min, max, fallback) {
    const value = read(name);
    if (value === '')
        return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
        throw new errors/* InputError */.dz(name, `must be a whole number from ${min} to ${max}, got '${value}'`);
    }
    return Number(value);
}
function parseDurationInput(read, name, fallback, minMs) {
    const value = read(name) || fallback;
    const ms = parseDuration(value);
    if (ms === undefined) {
        throw new errors/* InputError */.dz(name, `must be a duration such as 250ms, 5s, 2m or 1h30m (or a number of seconds), got '${value}'`);
    }
    if (ms < minMs)
        throw new errors/* InputError */.dz(name, `must be at least ${minMs}ms, got '${value}'`);
    if (ms > MAX_DURATION_MS)
        throw new errors/* InputError */.dz(name, `must be at most 596h, got '${value}'`);
    return ms;
}
function parseBaseUrl(read) {
    const serverUrl = read(Inputs.ServerUrl);
    const region = read(Inputs.Region).toLowerCase() || 'us';
    // Own keys only: `region in Regions` would accept 'constructor' or '__proto__'.
    if (!Object.hasOwn(Regions, region)) {
        throw new errors/* InputError */.dz(Inputs.Region, `must be 'us' or 'eu', got '${read(Inputs.Region)}'`);
    }
    if (!serverUrl)
        return Regions[region];
    let url;
    try {
        url = new URL(serverUrl);
    }
    catch {
        throw new errors/* InputError */.dz(Inputs.ServerUrl, `must be an absolute http(s) URL such as https://amplitude.com`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new errors/* InputError */.dz(Inputs.ServerUrl, `must use http or https, got '${url.protocol}'`);
    }
    if (url.username || url.password) {
        throw new errors/* InputError */.dz(Inputs.ServerUrl, `must not carry credentials: use 'api-key' and 'secret-key'`);
    }
    if (url.search || url.hash)
        throw new errors/* InputError */.dz(Inputs.ServerUrl, 'must not have a query or fragment');
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
function parsePropKeys(read) {
    const raw = read(Inputs.PropKeys);
    if (raw === '')
        return [];
    const items = raw.split(/[,\n]/).map(s => s.trim());
    // A trailing newline or comma is harmless; an empty item in the middle ("a,,b") is most likely a mistake.
    while (items.length > 0 && items[items.length - 1] === '')
        items.pop();
    if (items.length === 0 || items.some(s => s === '')) {
        throw new errors/* InputError */.dz(Inputs.PropKeys, 'has an empty item: separate property names with single commas or newlines');
    }
    const bad = items.find(s => [...s].some(c => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f));
    if (bad !== undefined)
        throw new errors/* InputError */.dz(Inputs.PropKeys, 'must not contain control characters');
    return [...new Set(items)];
}
/** With several cohorts, the name must hold `{cohort-id}` (each cohort gets its own artifact). */
function parseArtifactName(read, cohortId, several) {
    const given = read(Inputs.ArtifactName);
    if (several && given && !given.includes(COHORT_PLACEHOLDER)) {
        throw new errors/* InputError */.dz(Inputs.ArtifactName, `must contain '${COHORT_PLACEHOLDER}' with several cohorts (each gets its own artifact), got '${given.replace(/[\r\n]/g, ' ')}'`);
    }
    const name = given
        ? several
            ? given
            : given.split(COHORT_PLACEHOLDER).join(cohortId)
        : `amplitude-cohort-${several ? COHORT_PLACEHOLDER : cohortId}`;
    if (ARTIFACT_NAME_FORBIDDEN.test(name)) {
        throw new errors/* InputError */.dz(Inputs.ArtifactName, `must not contain any of " : < > | * ? \\ / or line breaks, got '${name.replace(/[\r\n]/g, ' ')}'`);
    }
    return name;
}
/**
 * `path` made absolute (relative to the workspace); the default is `$RUNNER_TEMP/amplitude-cohort-<id>.csv`, or with
 * several cohorts the folder `$RUNNER_TEMP` (each cohort's file is `amplitude-cohort-<id>.csv` in it).
 */
function parsePath(read, env, cohortId, several) {
    const given = read(Inputs.Path);
    if (several) {
        if (/\.csv$/i.test(given)) {
            throw new errors/* InputError */.dz(Inputs.Path, `must be a folder with several cohorts (each is written to amplitude-cohort-<id>.csv in it), got '${given}'`);
        }
        if (!given)
            return (0,external_node_path_.resolve)(env.RUNNER_TEMP || (0,external_node_os_.tmpdir)());
    }
    else if (/[\\/]$/.test(given)) {
        // A folder as Windows writes it too (`exports\`): refused on every runner, as it would be on Windows.
        throw new errors/* InputError */.dz(Inputs.Path, `must name a file, not a directory: '${given}'`);
    }
    if (!given)
        return (0,external_node_path_.resolve)(env.RUNNER_TEMP || (0,external_node_os_.tmpdir)(), cohortFileName(cohortId));
    // Relative to the workspace; an absolute path stays as it is.
    return (0,external_node_path_.resolve)(env.GITHUB_WORKSPACE || process.cwd(), given);
}
function parseRequestId(read, several) {
    const value = read(Inputs.RequestId);
    if (value === '')
        return undefined;
    if (several)
        throw new errors/* InputError */.dz(Inputs.RequestId, 'resumes one export: it cannot be given with several cohorts');
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(value)) {
        throw new errors/* InputError */.dz(Inputs.RequestId, `must be the plain request ID of an earlier export (letters, digits, '-' and '_'), got '${value.replace(/[^\x20-\x7e]/g, '?').slice(0, 80)}'`);
    }
    return value;
}
/**
 * Reads and validates every input, without touching the network or the disk. The credentials are read first and
 * every form of them is masked (on the runner and in `redactor`) before anything can fail. Throws an InputError
 * naming the input on the first problem.
 */
function readInputs(toolkit, redactor) {
    const read = name => toolkit.getInput(name);
    const credentials = new Credentials(read, toolkit, redactor);
    const cohorts = parseCohortIds(read(Inputs.CohortId));
    const cohortId = cohorts[0];
    const several = cohorts.length > 1;
    const authorization = credentials.authorization();
    const propKeys = parsePropKeys(read);
    const includeProps = parseBoolean(read, Inputs.IncludeProps, false) || propKeys.length > 0;
    const baseUrl = parseBaseUrl(read);
    const pollIntervalMs = parseDurationInput(read, Inputs.PollInterval, Defaults.pollInterval, 100);
    const timeoutMs = parseDurationInput(read, Inputs.Timeout, Defaults.timeout, 1000);
    const requestTimeoutMs = parseDurationInput(read, Inputs.RequestTimeout, Defaults.requestTimeout, 100);
    if (pollIntervalMs > timeoutMs) {
        throw new errors/* InputError */.dz(Inputs.PollInterval, `(${read(Inputs.PollInterval)}) must not exceed '${Inputs.Timeout}'`);
    }
    return {
        cohortId,
        cohorts,
        authorization,
        includeProps,
        propKeys,
        baseUrl,
        pollIntervalMs,
        timeoutMs,
        requestTimeoutMs,
        uploadArtifact: parseBoolean(read, Inputs.UploadArtifact, true),
        artifactName: parseArtifactName(read, cohortId, several),
        retentionDays: parseInteger(read, Inputs.RetentionDays, 1, 90),
        compressionLevel: parseInteger(read, Inputs.CompressionLevel, 0, 9, Defaults.compressionLevel),
        overwrite: parseBoolean(read, Inputs.Overwrite, false),
        minMembers: parseInteger(read, Inputs.MinMembers, 0, Number.MAX_SAFE_INTEGER, 0),
        path: parsePath(read, toolkit.env, cohortId, several),
        compareWith: parseCompareWith(read, toolkit.env, credentials.githubToken),
        compareKey: parseCompareKey(read),
        maxExiting: parseMaxExiting(read),
        onMissingBaseline: parseOnMissingBaseline(read),
        requestId: parseRequestId(read, several),
        reuseOnRerun: parseBoolean(read, Inputs.ReuseOnRerun, true),
        monthlyRequestBudget: parseInteger(read, Inputs.MonthlyRequestBudget, 0, 1_000_000),
        dryRun: parseBoolean(read, Inputs.DryRun, false)
    };
}

;// CONCATENATED MODULE: ./src/destination.ts






/**
 * Makes sure the membership file can be written at `path` before a cohort request is spent: not a folder, its folder
 * created and writable. Throws an InputError naming `path`.
 */
async function prepareDestination(path) {
    const existing = await (0,promises_.stat)(path).catch(() => undefined);
    if (existing?.isDirectory())
        throw new errors/* InputError */.dz(Inputs.Path, `is a directory: '${path}'; name a file in it`);
    try {
        await (0,promises_.mkdir)((0,external_node_path_.dirname)(path), { recursive: true });
        await (0,promises_.access)((0,external_node_path_.dirname)(path), external_node_fs_.constants.W_OK);
        // access() says yes to root everywhere, even where no file can be created (/proc, a read-only mount): create
        // and remove a probe file beside `path`, the way the download's temporary file will be created.
        const probe = (0,external_node_path_.join)((0,external_node_path_.dirname)(path), `.${(0,external_node_path_.basename)(path)}.${(0,external_node_crypto_.randomBytes)(6).toString('hex')}.probe`);
        await (0,promises_.writeFile)(probe, '', { flag: 'wx' });
        await (0,promises_.rm)(probe, { force: true });
    }
    catch (error) {
        const code = error.code ?? 'error';
        const why = code === 'ENOTDIR' || code === 'EEXIST' ? 'is not a folder' : 'is not writable';
        throw new errors/* InputError */.dz(Inputs.Path, `cannot be written: '${(0,external_node_path_.dirname)(path)}' ${why} (${code})`);
    }
}

;// CONCATENATED MODULE: ./src/cohort-list.ts

/** Longest name kept: names are for people, and a summary row should stay a row. */
const MAX_NAME = 200;
/** Epoch values above this are milliseconds (1e12 ms is 2001; 1e12 s is the year 33658). */
const MS_THRESHOLD = 1e12;
/** The cohorts of a parsed answer; entries that are not objects or have no usable `id` are left out. */
function parseCohortList(body) {
    const list = typeof body === 'object' && body !== null ? body.cohorts : undefined;
    if (!Array.isArray(list)) {
        throw new errors/* UnexpectedResponseError */.wH("Amplitude's list of cohorts has no 'cohorts' array");
    }
    const cohorts = [];
    for (const item of list) {
        if (typeof item !== 'object' || item === null || Array.isArray(item))
            continue;
        const entry = item;
        const id = identifier(entry.id);
        if (id === undefined)
            continue;
        cohorts.push({
            id,
            name: cohort_list_name(entry.name),
            size: count(entry.size),
            lastComputed: epochMs(entry.lastComputed),
            archived: entry.archived === true
        });
    }
    return cohorts;
}
function identifier(value) {
    if (typeof value === 'number' && Number.isSafeInteger(value))
        return String(value);
    return typeof value === 'string' && value !== '' ? value : undefined;
}
/** Control characters (line breaks too) become spaces, so a name can never start a log line of its own. */
function cohort_list_name(value) {
    if (typeof value !== 'string')
        return null;
    // eslint-disable-next-line no-control-regex
    const clean = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
    if (clean === '')
        return null;
    const chars = Array.from(clean);
    return chars.length > MAX_NAME ? `${chars.slice(0, MAX_NAME - 1).join('')}…` : clean;
}
function count(value) {
    const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
    return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : null;
}
/** Epoch seconds or ms (a number or a string of digits), or an ISO 8601 date; null for anything else. */
function epochMs(value) {
    if (typeof value === 'string' && !/^\d+(\.\d+)?$/.test(value)) {
        const parsed = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
        return Number.isFinite(parsed) && parsed > 0 ? parsed : null;
    }
    const n = typeof value === 'string' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0)
        return null;
    const ms = n > MS_THRESHOLD ? n : n * 1000;
    // Past year 9999, Date cannot show it.
    return ms <= 253402300799999 ? Math.round(ms) : null;
}

;// CONCATENATED MODULE: ./src/job-status.ts
/** Maps both status vocabularies (the live API's `JOB INPROGRESS` and the documented `computing`) onto one. */
function normalizeStatus(value) {
    if (typeof value !== 'string')
        return 'unknown';
    const text = value
        .trim()
        .toUpperCase()
        .replace(/[\s_-]+/g, ' ');
    switch (text) {
        case 'QUEUED':
        case 'JOB QUEUED':
            return 'queued';
        case 'COMPUTING':
        case 'JOB INPROGRESS':
        case 'JOB IN PROGRESS':
            return 'computing';
        case 'COMPLETE':
        case 'JOB COMPLETED':
            return 'complete';
        case 'FAILED':
        case 'JOB FAILED':
            return 'failed';
        default:
            return 'unknown';
    }
}

;// CONCATENATED MODULE: ./src/amplitude.ts






/** The scheduler's lane of a JSON call: the list of cohorts shares the status polls' (both are light JSON calls). */
const laneOf = (step) => (step === 'cohorts' ? 'status' : step);
/**
 * The largest list of cohorts read: every cohort of the project comes in one answer (no paging is documented), each
 * with its definition, so it can pass the 1 MiB the other JSON answers are allowed.
 */
const MAX_LIST_BYTES = 32 << 20;
/** JSON requests: 5 attempts, backoff from 1 s to 30 s. */
const JSON_RETRY = { operation: 'request', maxAttempts: 5, baseMs: 1000, capMs: 30_000 };
const MAX_REDIRECTS = 5;
const USER_AGENT = 'amplitude-cohort-export';
class AmplitudeClient {
    options;
    http;
    storage;
    apiOrigin;
    /** Requests sent, by step, for the logs and the reliability report. */
    sent = { cohorts: 0, request: 0, status: 0, file: 0, storage: 0 };
    /** When step 1 was first sent (after any wait for the scheduler): `timeout` counts from here. */
    requestSentAt;
    constructor(options) {
        this.options = options;
        const requestOptions = {
            allowRedirects: false,
            allowRetries: false,
            keepAlive: true,
            // Only a backstop that closes the socket: our own timers notice the silence first, so the error says what
            // stalled instead of "the connection closed".
            socketTimeout: Math.min(options.requestTimeoutMs * 2, 2 ** 31 - 1)
        };
        this.http = new lib/* HttpClient */.Qq(USER_AGENT, [], requestOptions);
        // A separate client (and agent) for storage hosts, so no connection or header of the API is ever reused there.
        this.storage = new lib/* HttpClient */.Qq(USER_AGENT, [], requestOptions);
        this.apiOrigin = new URL(options.baseUrl).origin;
    }
    dispose() {
        this.http.dispose();
        this.storage.dispose();
    }
    /** Step 1: asks Amplitude to prepare the cohort file. Spends one of the account's monthly cohort requests. */
    async requestExport(cohortId, includeProps, propKeys) {
        const query = new URLSearchParams({ props: includeProps ? '1' : '0' });
        for (const key of propKeys)
            query.append('propKeys', key);
        const url = `${this.options.baseUrl}/api/5/cohorts/request/${pathSegment(cohortId, 'the cohort ID')}?${query}`;
        const { body } = await this.getJson(url, 'request', `cohort '${cohortId}'`);
        const requestId = body.request_id;
        if (typeof requestId !== 'string' && typeof requestId !== 'number') {
            throw new errors/* UnexpectedResponseError */.wH(`Amplitude accepted the export of cohort '${cohortId}' but returned no request_id; nothing to poll`);
        }
        const id = String(requestId);
        if (!/^[A-Za-z0-9_-]{1,200}$/.test(id)) {
            throw new errors/* UnexpectedResponseError */.wH(`Amplitude returned a request_id that is not a plain identifier`);
        }
        return id;
    }
    /**
     * The project's cohorts with their names and sizes (`GET /api/3/cohorts`). Spends no cohort request. Each entry is
     * read tolerantly (see cohort-list.ts); an answer without a `cohorts` array is an UnexpectedResponseError.
     */
    async listCohorts() {
        const { body } = await this.getJson(`${this.options.baseUrl}/api/3/cohorts`, 'cohorts', 'list of cohorts');
        return parseCohortList(body);
    }
    /** Step 2: the job's status. */
    async getStatus(requestId) {
        const url = `${this.options.baseUrl}/api/5/cohorts/request-status/${pathSegment(requestId, 'the request ID')}`;
        const { body, status, retryAfterMs } = await this.getJson(url, 'status', `export request '${requestId}'`);
        const raw = body.async_status ?? body.status;
        let normalized = normalizeStatus(raw);
        // The live API says "still running" with 202 too; a 202 without a known status is still running.
        if (normalized === 'unknown' && raw === undefined && status === 202)
            normalized = 'computing';
        return {
            status: normalized,
            raw: typeof raw === 'string' ? raw : JSON.stringify(raw ?? null),
            retryAfterMs
        };
    }
    /**
     * Step 3: opens the membership file. Follows Amplitude's redirect to the storage host itself, so that the
     * credentials are sent to the API origin only: never to another host, port or scheme, never over a downgrade.
     * Errors from the storage host (an expired link, a dropped connection) are TransientErrors: the caller asks the API
     * link again for a fresh storage link. Not retried here: the download retries the whole step.
     */
    async openFile(requestId) {
        const what = `the file of export request '${requestId}'`;
        let url = `${this.options.baseUrl}/api/5/cohorts/request/${pathSegment(requestId, 'the request ID')}/file`;
        let response = await this.limited('file', () => this.send(url, 'file', what));
        let redirected = false;
        for (let hop = 0;; hop++) {
            const status = response.statusCode ?? 0;
            if (status < 300 || status >= 400)
                break;
            const location = response.headers.location;
            response.resume();
            if (!location)
                throw new errors/* UnexpectedResponseError */.wH(`Amplitude answered ${status} for the file without a Location`);
            if (hop >= MAX_REDIRECTS)
                throw new errors/* UnexpectedResponseError */.wH(`too many redirects while downloading the file`);
            const next = checkRedirect(new URL(url), new URL(location, url));
            url = next.href;
            redirected = true;
            const sameOrigin = next.origin === this.apiOrigin;
            this.options.log.debug(`Following redirect to ${next.origin}${next.pathname} (credentials: ${sameOrigin ? 'API origin' : 'not sent'})`);
            const step = sameOrigin ? 'file' : 'storage';
            response = sameOrigin
                ? await this.limited('file', () => this.send(url, step, 'the file from storage'))
                : await this.send(url, step, 'the file from storage');
        }
        const status = response.statusCode ?? 0;
        const final = new URL(url);
        if (status !== 200) {
            const detail = await this.errorDetail(response);
            // Expired or refused storage links are fixed by asking the API link again.
            if (final.origin !== this.apiOrigin)
                throw new errors/* TransientError */.N_(`the storage host answered ${status} (${detail})`);
            throw this.statusError('file', status, detail, what, response);
        }
        const length = response.headers['content-length'];
        return {
            body: response,
            source: `${final.origin}${final.pathname}`,
            redirected,
            contentLength: length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined,
            contentEncoding: response.headers['content-encoding']?.toLowerCase()
        };
    }
    /** Sends one GET; credentials go with it only to the API origin. */
    send(url, step, what) {
        const { signal, redact, log, requestTimeoutMs } = this.options;
        const headers = {
            accept: step === 'file' || step === 'storage' ? '*/*' : 'application/json'
        };
        if (new URL(url).origin === this.apiOrigin)
            headers.authorization = this.options.authorization;
        this.sent[step]++;
        if (step === 'request')
            this.requestSentAt ??= this.options.clock.now();
        log.debug(`GET ${stripQueries(url)}`);
        const client = step === 'storage' ? this.storage : this.http;
        return send(client, url, headers, what, { timeoutMs: requestTimeoutMs, signal, redact });
    }
    /** The server's words about an error, redacted before they are cut short (half a secret is not recognised). */
    async errorDetail(response) {
        const { requestTimeoutMs, signal, redact } = this.options;
        const text = await readSmallBody(response, requestTimeoutMs, signal).catch(() => '');
        return describeErrorBody(redact(text));
    }
    /** Runs one Amplitude request within the scheduler's limits, when there is one. */
    limited(step, fn) {
        const { scheduler, signal } = this.options;
        return scheduler ? scheduler.run(step, fn, signal) : fn();
    }
    statusError(step, status, detail, what, response) {
        if (RETRYABLE_STATUS.has(status)) {
            const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
            // A Retry-After holds back every cohort's requests to that endpoint, not just this one's.
            if (retryAfterMs !== undefined)
                this.options.scheduler?.pause(step, retryAfterMs);
            return new errors/* TransientError */.N_(`Amplitude answered HTTP ${status} for ${what} (${detail})`, retryAfterMs);
        }
        return new errors/* AmplitudeRefusedError */.Uz(status, what, detail);
    }
    /** GETs a JSON endpoint with the retry policy (Retry-After wins) within the deadline. */
    getJson(url, step, what) {
        const { signal, log, clock } = this.options;
        const context = {
            clock,
            signal,
            deadline: this.options.deadline,
            retryable: (error) => error instanceof errors/* TransientError */.N_,
            retryAfterMs: (error) => error.retryAfterMs,
            onRetry: (error, attempt, waitMs) => log.warning(`${error.message}; retrying in ${(waitMs / 1000).toFixed(1)}s ` +
                `(attempt ${attempt + 1} of ${JSON_RETRY.maxAttempts})`)
        };
        return retry(JSON_RETRY, context, () => this.limited(laneOf(step), () => this.readJson(url, step, what)));
    }
    /** One GET of a JSON endpoint, read whole. */
    async readJson(url, step, what) {
        const { signal, requestTimeoutMs } = this.options;
        const response = await this.send(url, step, what);
        const status = response.statusCode ?? 0;
        const text = await readSmallBody(response, requestTimeoutMs, signal, step === 'cohorts' ? MAX_LIST_BYTES : undefined);
        if (status < 200 || status >= 300) {
            throw this.statusError(laneOf(step), status, describeErrorBody(this.options.redact(text)), what, response);
        }
        let body;
        try {
            body = JSON.parse(text);
        }
        catch {
            throw new errors/* TransientError */.N_(`Amplitude answered ${status} for ${what} with a body that is not JSON`);
        }
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
            throw new errors/* TransientError */.N_(`Amplitude answered ${status} for ${what} with unexpected JSON`);
        }
        return {
            body: body,
            status,
            retryAfterMs: parseRetryAfter(response.headers['retry-after'])
        };
    }
}

;// CONCATENATED MODULE: ./src/row-counter.ts
/**
 * Counts CSV records while the file streams past, following RFC 4180 quoting: a line break inside a quoted field
 * ("multi\nline") does not end a record, and `""` inside quotes is an escaped quote. Empty lines are not records.
 *
 * This is the one piece of CSV handling on the hot path, so it scans with Buffer.indexOf (native memchr) rather than
 * parsing fields: the test suite checks it against csv-parse, the full parser, on generated and adversarial input,
 * and bench/ measures that it keeps the download near wire speed.
 */
const QUOTE = 0x22;
const row_counter_LF = 0x0a;
const CR = 0x0d;
class CsvRecordCounter {
    /** Complete records seen so far (the header row included). */
    records = 0;
    inQuotes = false;
    /** Whether the current, unfinished record has any content. */
    open = false;
    push(chunk) {
        const n = chunk.length;
        let i = 0;
        // Positions of the next line feed and quote at or after i; -1 when there is none in this chunk. Each is searched
        // again only once i has passed it, so a chunk is scanned about once whatever its mix of quotes and lines.
        let lf = -2;
        let q = -2;
        while (i < n) {
            if (this.inQuotes) {
                if (q !== -1 && q < i)
                    q = chunk.indexOf(QUOTE, i);
                if (q === -1)
                    return;
                // A quote inside a quoted field closes it, unless it is the first of an escaped pair (""): then the second
                // quote opens the field again on the next pass.
                this.inQuotes = false;
                i = q + 1;
                continue;
            }
            if (lf !== -1 && lf < i)
                lf = chunk.indexOf(row_counter_LF, i);
            if (q !== -1 && q < i)
                q = chunk.indexOf(QUOTE, i);
            if (q !== -1 && (lf === -1 || q < lf)) {
                this.open = true;
                this.inQuotes = true;
                i = q + 1;
                continue;
            }
            const stop = lf === -1 ? n : lf;
            if (!this.open) {
                for (let k = i; k < stop; k++) {
                    if (chunk[k] !== CR) {
                        this.open = true;
                        break;
                    }
                }
            }
            if (lf === -1)
                return;
            if (this.open)
                this.records++;
            this.open = false;
            i = lf + 1;
        }
    }
    /** Ends the input. Returns false when it ends inside a quoted field: the file is cut short or malformed. */
    end() {
        if (this.open && !this.inQuotes)
            this.records++;
        this.open = this.open && this.inQuotes;
        return !this.inQuotes;
    }
}

;// CONCATENATED MODULE: ./src/save-body.ts








const PROGRESS_EVERY_MS = 10_000;
const GZIP_MAGIC = [0x1f, 0x8b];
// Errors of the file system, not the network: a fresh download would fail the same way.
const WRITE_ERRORS = new Set([
    'ENOSPC',
    'EDQUOT',
    'EACCES',
    'EPERM',
    'EROFS',
    'ENOENT',
    'ENOTDIR',
    'EISDIR',
    'EMFILE'
]);
// Large buffers between stages: fewer, larger writes; the whole pipeline still holds a few MiB at most, whatever the
// size of the file (back-pressure pauses the socket when the disk is slower).
const STAGE_BUFFER = 1 << 20;
/** Reads the first bytes of the body without consuming them, to recognise gzip that has no Content-Encoding. */
async function peek(body, count) {
    const seen = [];
    let size = 0;
    while (size < count) {
        const chunk = body.read();
        if (chunk !== null) {
            seen.push(chunk);
            size += chunk.length;
            continue;
        }
        if (body.readableEnded || body.destroyed)
            break;
        await new Promise(resolve => {
            const done = () => {
                body.off('readable', done);
                body.off('end', done);
                body.off('close', done);
                body.off('error', done);
                resolve();
            };
            body.on('readable', done);
            body.on('end', done);
            body.on('close', done);
            body.on('error', done);
        });
        if (body.readableEnded || body.destroyed) {
            const rest = body.read();
            if (rest !== null) {
                seen.push(rest);
                size += rest.length;
            }
            break;
        }
    }
    const head = Buffer.concat(seen);
    if (head.length > 0)
        body.unshift(head);
    return head;
}
/** Hashes and counts CSV records of the decompressed bytes as they pass to the file. */
class Inspect extends external_node_stream_.Transform {
    hash = (0,external_node_crypto_.createHash)('sha256');
    counter = new CsvRecordCounter();
    bytes = 0;
    constructor() {
        super({ highWaterMark: STAGE_BUFFER });
    }
    _transform(chunk, _encoding, callback) {
        this.hash.update(chunk);
        this.counter.push(chunk);
        this.bytes += chunk.length;
        callback(null, chunk);
    }
}
/**
 * Streams a response body into `tempPath`: gunzips it when it is gzip (by Content-Encoding or by its magic bytes),
 * hashes it and counts its members on the way, and checks that it is complete (Content-Length, no cut inside a
 * quoted field, not empty). Never buffers the file in memory. Rejects with TransientError for what a fresh download
 * may fix (a dropped or stalled connection, a short body) and InvalidFileError for a body that is not a valid file.
 * The caller owns `tempPath` and removes it on failure.
 */
async function saveBody(file, tempPath, options) {
    const { body } = file;
    const started = Date.now();
    let wireBytes = 0;
    let failure;
    const fail = (error) => {
        failure ??= error;
        body.destroy(error);
    };
    const onAbort = () => fail(new errors/* CancelledError */.cc());
    options.signal.addEventListener('abort', onAbort, { once: true });
    if (options.signal.aborted)
        onAbort();
    const idle = new IdleTimer(options.idleTimeoutMs, () => fail(new errors/* TransientError */.N_(`the download stalled: no data for ${options.idleTimeoutMs}ms`)));
    const { onProgress } = options;
    const progress = onProgress
        ? setInterval(() => onProgress(wireBytes, Date.now() - started), PROGRESS_EVERY_MS)
        : undefined;
    try {
        const head = await peek(body, GZIP_MAGIC.length);
        const magic = head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
        const gzip = magic || file.contentEncoding === 'gzip' || file.contentEncoding === 'x-gzip';
        if (file.contentEncoding && !gzip && file.contentEncoding !== 'identity') {
            throw new errors/* InvalidFileError */.Ou(`the file has an unsupported Content-Encoding '${file.contentEncoding}'`);
        }
        body.on('data', (chunk) => {
            wireBytes += chunk.length;
            idle.touch();
        });
        const inspect = new Inspect();
        const out = (0,external_node_fs_.createWriteStream)(tempPath, { flags: 'w', highWaterMark: STAGE_BUFFER });
        try {
            if (gzip) {
                await (0,external_node_stream_promises_.pipeline)(body, (0,external_node_zlib_.createGunzip)({ chunkSize: 256 * 1024 }), inspect, out);
            }
            else {
                await (0,external_node_stream_promises_.pipeline)(body, inspect, out);
            }
        }
        catch (error) {
            if (failure)
                throw failure;
            if (error instanceof errors/* CancelledError */.cc || error instanceof errors/* TransientError */.N_)
                throw error;
            const code = error.code ?? '';
            if (code.startsWith('Z_') ||
                /incorrect header|invalid|unexpected end of file/i.test((0,errors/* messageOf */.bD)(error))) {
                throw new errors/* InvalidFileError */.Ou(`the file is not valid gzip (${(0,errors/* messageOf */.bD)(error)})`);
            }
            if (WRITE_ERRORS.has(code)) {
                throw new errors/* WriteError */.QM(code);
            }
            throw new errors/* TransientError */.N_(`the download was interrupted after ${wireBytes} bytes (${code || (0,errors/* messageOf */.bD)(error)})`);
        }
        if (failure)
            throw failure;
        if (file.contentLength !== undefined && wireBytes !== file.contentLength) {
            throw new errors/* TransientError */.N_(`the download is incomplete: received ${wireBytes} of ${file.contentLength} bytes (Content-Length)`);
        }
        if (inspect.bytes === 0) {
            throw new errors/* InvalidFileError */.Ou('Amplitude returned an empty file although the export job reported complete');
        }
        if (!inspect.counter.end()) {
            throw new errors/* InvalidFileError */.Ou('the file ends inside a quoted CSV field: it is truncated or malformed');
        }
        return {
            bytes: inspect.bytes,
            wireBytes,
            members: Math.max(0, inspect.counter.records - 1),
            sha256: inspect.hash.digest('hex'),
            gzip
        };
    }
    finally {
        idle.stop();
        clearInterval(progress);
        options.signal.removeEventListener('abort', onAbort);
        if (!body.destroyed && !body.readableEnded)
            body.destroy();
    }
}

;// CONCATENATED MODULE: ./src/download.ts







/**
 * 3 attempts, each asking the API file link again (storage links live one minute); a Retry-After longer than 5 minutes
 * ends the retries rather than idling.
 */
const DOWNLOAD_RETRY = {
    operation: 'download',
    maxAttempts: 3,
    baseMs: 1000,
    capMs: 30_000,
    maxWaitMs: 5 * 60_000
};
/**
 * Step 3: downloads the membership file to a temporary file beside `path`, then renames it into place only when it
 * is complete and valid. A failed attempt asks the API link again (a fresh storage link); on final failure nothing
 * is left at `path`.
 */
async function downloadMembership(client, requestId, path, options) {
    const { log, signal, clock } = options;
    const temp = (0,external_node_path_.join)((0,external_node_path_.dirname)(path), `.${(0,external_node_path_.basename)(path)}.${(0,external_node_crypto_.randomBytes)(6).toString('hex')}.partial`);
    const context = {
        clock,
        signal,
        retryable: (error) => error instanceof errors/* TransientError */.N_ || error instanceof errors/* InvalidFileError */.Ou,
        retryAfterMs: (error) => (error instanceof errors/* TransientError */.N_ ? error.retryAfterMs : undefined),
        onRetry: (error, attempt, waitMs) => log.warning(`Download attempt ${attempt} failed: ${error.message}; asking Amplitude for the file again in ` +
            (0,format/* formatDuration */.a3)(waitMs))
    };
    try {
        return await retry(DOWNLOAD_RETRY, context, () => {
            const attempt = () => attemptDownload();
            return options.scheduler ? options.scheduler.download(attempt, signal) : attempt();
        });
    }
    finally {
        await (0,promises_.rm)(temp, { force: true });
    }
    /** One attempt: ask the file link again, stream to the temporary file, rename it into place when valid. */
    async function attemptDownload() {
        try {
            const response = await client.openFile(requestId);
            log.info(`Downloading from ${response.redirected ? 'storage' : 'Amplitude'} (${response.source})` +
                (response.contentLength !== undefined ? `, ${(0,format/* formatBytes */.z3)(response.contentLength)}` : '') +
                (response.contentEncoding ? `, ${response.contentEncoding}` : ''));
            const saved = await saveBody(response, temp, {
                idleTimeoutMs: options.requestTimeoutMs,
                signal,
                onProgress: (bytes, ms) => log.info(`  ${(0,format/* formatBytes */.z3)(bytes)} received in ${(0,format/* formatDuration */.a3)(ms)} (${(0,format/* formatRate */.CE)(bytes, ms)})`)
            });
            if (saved.members < options.minMembers)
                throw new errors/* TooFewMembersError */.OF(saved.members, options.minMembers);
            await (0,promises_.rename)(temp, path);
            return { ...saved, path };
        }
        catch (error) {
            await (0,promises_.rm)(temp, { force: true });
            throw error;
        }
    }
}

;// CONCATENATED MODULE: ./src/poll-schedule.ts
const DEFAULT_POLL_SCHEDULE = {
    ratio: 0.1,
    maxMs: 5 * 60_000,
    jitter: 0.1
};
/**
 * Milliseconds to wait before poll `attempt` (1 for the first poll after the request).
 * @param elapsedMs time since the export was requested
 * @param retryAfterMs the server's Retry-After, which always wins when given
 * @param random a number in [0, 1), for jitter
 */
function pollDelay(schedule, attempt, elapsedMs, retryAfterMs, random = Math.random()) {
    if (retryAfterMs !== undefined && retryAfterMs >= 0)
        return retryAfterMs;
    const base = attempt <= 1 ? schedule.initialMs : Math.max(schedule.initialMs, schedule.ratio * elapsedMs);
    const capped = Math.min(base, Math.max(schedule.maxMs, schedule.initialMs));
    return Math.round(capped * (1 - schedule.jitter * random));
}

;// CONCATENATED MODULE: ./src/wait.ts



/**
 * Step 2: polls the job until it completes; returns the status requests spent. Waits follow the poll schedule
 * (Retry-After wins); every status change is logged; an unknown status is logged and polling goes on. Throws
 * JobFailedError when the job fails and JobTimeoutError when the deadline passes first.
 */
async function waitForCompletion(client, requestId, options) {
    const schedule = { ...DEFAULT_POLL_SCHEDULE, initialMs: options.pollIntervalMs };
    const { log, signal, deadline, startedAt, clock } = options;
    let last;
    let retryAfterMs;
    for (let attempt = 1;; attempt++) {
        const now = clock.now();
        let wait = pollDelay(schedule, attempt, now - startedAt, retryAfterMs, clock.random());
        if (now + wait > deadline) {
            // One last look right at the deadline rather than giving up early.
            wait = Math.max(0, deadline - now);
            if (wait === 0 && attempt > 1) {
                throw new errors/* JobTimeoutError */.$G((0,format/* formatDuration */.a3)(deadline - startedAt), last ? `'${last.status}' (${last.raw})` : `'none'`, (0,format/* formatDuration */.a3)(now - startedAt), attempt - 1);
            }
        }
        await clock.sleep(wait, signal);
        const result = await client.getStatus(requestId);
        retryAfterMs = result.retryAfterMs;
        const elapsed = (0,format/* formatDuration */.a3)(clock.now() - startedAt);
        if (result.status !== last?.status || result.raw !== last?.raw) {
            if (result.status === 'unknown') {
                log.warning(`Amplitude reported an unknown job status '${result.raw}' after ${elapsed}; still polling`);
            }
            else {
                log.info(`Status: ${result.status} (${result.raw}) after ${elapsed}`);
                options.onStatus?.(result.status);
            }
        }
        last = result;
        if (result.status === 'complete')
            return attempt;
        if (result.status === 'failed')
            throw new errors/* JobFailedError */.dk(result.raw, elapsed);
    }
}

;// CONCATENATED MODULE: ./src/export.ts





/** The three steps of an export, each in its log group: request (one cohort request spent), wait, download. */
async function exportCohort(inputs, context) {
    const { toolkit: log, clock, signal, report } = context;
    const started = clock.now();
    // `timeout` counts from step 1 (not from a wait for the scheduler before it); a resumed export from now.
    const deadline = () => (client.requestSentAt ?? started) + inputs.timeoutMs;
    const client = new AmplitudeClient({
        baseUrl: inputs.baseUrl,
        authorization: inputs.authorization,
        requestTimeoutMs: inputs.requestTimeoutMs,
        signal,
        log,
        clock,
        redact: context.redact,
        deadline: () => (inputs.requestId || client.requestSentAt !== undefined ? deadline() : undefined),
        scheduler: context.scheduler
    });
    report.requests = client.sent;
    try {
        const requestId = inputs.requestId ?? (await request(client, inputs, log, context.budget));
        if (inputs.requestId) {
            log.info(`Resuming export request '${inputs.requestId}' (the 'request-id' input): no cohort request is spent`);
        }
        const requestedAt = client.requestSentAt ?? started;
        report.setRequestId(requestId, inputs.requestId ? undefined : requestedAt);
        report.setStatus('queued');
        return await afterRequest(client, requestId, inputs, context, requestedAt);
    }
    catch (error) {
        // A resumed request that Amplitude no longer knows (its file lives seven days).
        if (inputs.requestId && error instanceof errors/* AmplitudeRefusedError */.Uz && error.reason === 'not-found') {
            throw new errors/* UnknownRequestError */.eg(inputs.requestId, error.detail);
        }
        throw error;
    }
    finally {
        client.dispose();
    }
}
/** Step 1, in its log group: spends one of the account's monthly cohort requests. */
function request(client, inputs, log, budget) {
    return log.group('Request the cohort export', async () => {
        await budget?.beforeRequest();
        const props = inputs.propKeys.length ? `properties ${inputs.propKeys.join(', ')}` : 'all user properties';
        log.info(`Requesting cohort '${inputs.cohortId}' from ${inputs.baseUrl}${inputs.includeProps ? ` with ${props}` : ''}`);
        const id = await client.requestExport(inputs.cohortId, inputs.includeProps, inputs.propKeys);
        log.info(`Request ID: ${id}`);
        return id;
    });
}
/** Steps 2 and 3, each in its log group: wait for the job, download the file. */
async function afterRequest(client, requestId, inputs, context, requestedAt) {
    const { toolkit: log, clock, signal, report } = context;
    // `timeout` counts from step 1.
    const deadline = requestedAt + inputs.timeoutMs;
    await log.group('Wait for the export job', async () => {
        const polls = await waitForCompletion(client, requestId, {
            pollIntervalMs: inputs.pollIntervalMs,
            deadline,
            startedAt: requestedAt,
            signal,
            log,
            clock,
            onStatus: status => report.setStatus(status)
        });
        log.info(`The export job completed in ${(0,format/* formatDuration */.a3)(clock.now() - requestedAt)} (${polls} status requests)`);
    });
    return await log.group('Download the membership file', async () => {
        const started = clock.now();
        const file = await downloadMembership(client, requestId, inputs.path, {
            requestTimeoutMs: inputs.requestTimeoutMs,
            signal,
            log,
            clock,
            minMembers: inputs.minMembers,
            scheduler: context.scheduler
        });
        const ms = Math.max(1, clock.now() - started);
        log.info(`Saved ${file.path}: ${file.members} members, ${(0,format/* formatBytes */.z3)(file.bytes)}` +
            (file.gzip ? ` (${(0,format/* formatBytes */.z3)(file.wireBytes)} gzip)` : '') +
            ` in ${(0,format/* formatDuration */.a3)(ms)} (${(0,format/* formatRate */.CE)(file.wireBytes, ms)})`);
        report.setMembership(file);
        return file;
    });
}

;// CONCATENATED MODULE: ./src/reuse.ts





/**
 * On a re-run ("Re-run all jobs" after a downstream failure): the export an earlier attempt of this run uploaded, when
 * it is this cohort's with the same properties and its file matches its manifest's SHA-256, put at `path` (with its
 * change files and manifest beside it), so no Amplitude request is spent. Undefined, with a warning saying why, when
 * it cannot be re-used; undefined silently when there is none or re-use is off.
 */
async function reuseEarlierAttempt(inputs, toolkit) {
    if (!inputs.uploadArtifact || !inputs.reuseOnRerun || Number(toolkit.env.GITHUB_RUN_ATTEMPT || '1') <= 1) {
        return undefined;
    }
    const dir = await (0,promises_.mkdtemp)((0,external_node_path_.join)((0,external_node_path_.dirname)(inputs.path), '.reuse-'));
    try {
        const { downloadOwnArtifact } = await Promise.all(/* import() */[__webpack_require__.e(938), __webpack_require__.e(849)]).then(__webpack_require__.bind(__webpack_require__, 15849));
        const artifact = await downloadOwnArtifact(inputs.artifactName, dir, toolkit.env);
        if (!artifact)
            return undefined;
        const refuse = (why) => {
            toolkit.warning(`Not re-using artifact '${inputs.artifactName}' of an earlier attempt: ${why}; exporting again`);
            return undefined;
        };
        const found = await readDownloaded(dir, 'of this run').catch((error) => {
            if (error instanceof errors/* BaselineError */.s$)
                return error;
            throw error;
        });
        if (found instanceof errors/* BaselineError */.s$)
            return refuse(found.reason);
        const { manifest, csv } = found;
        if (manifest.cohortId !== inputs.cohortId)
            return refuse(`it is cohort '${manifest.cohortId}'`);
        const same = manifest.includeProps === inputs.includeProps &&
            JSON.stringify([...manifest.propKeys].sort()) === JSON.stringify([...inputs.propKeys].sort());
        if (!same)
            return refuse("it was exported with other 'include-props'/'prop-keys'");
        const files = await placeFiles(dir, csv, manifest, inputs.path);
        return { manifest, artifact: { ...artifact, name: inputs.artifactName }, path: inputs.path, files };
    }
    catch (error) {
        toolkit.warning(`Could not re-use the artifact of an earlier attempt: ${(0,errors/* messageOf */.bD)(error)}; exporting again`);
        return undefined;
    }
    finally {
        await (0,promises_.rm)(dir, { recursive: true, force: true });
    }
}
/** Moves the membership file to `path`, and its change files and manifest beside it under `path`'s name. */
async function placeFiles(dir, csv, manifest, path) {
    const from = siblings((0,external_node_path_.join)(dir, manifest.file));
    const to = siblings(path);
    await (0,promises_.rename)(csv, path);
    const present = new Set(await (0,promises_.readdir)(dir));
    const files = {};
    for (const kind of ['entering', 'exiting', 'changed', 'skipped']) {
        if (!present.has((0,external_node_path_.basename)(from[kind])))
            continue;
        await (0,promises_.rename)(from[kind], to[kind]);
        files[kind] = to[kind];
    }
    if (present.has((0,external_node_path_.basename)(from.manifest)))
        await (0,promises_.rename)(from.manifest, to.manifest);
    return files;
}

;// CONCATENATED MODULE: ./src/pipeline.ts





/**
 * One cohort's export, start to end, into `context.report`: re-use what an earlier attempt of this run uploaded, or
 * find the baseline, export (request, wait, download), compare and deliver. Throws what ends it.
 */
async function exportOne(inputs, context) {
    // The month's count waits for every cohort's baseline history: say it, whatever ends this cohort.
    const spend = context.budget?.forCohort();
    try {
        await exportAfterChecks(inputs, context, spend);
    }
    finally {
        spend?.done();
    }
}
async function exportAfterChecks(inputs, context, spend) {
    const delivery = new Delivery(inputs, context.toolkit);
    await prepareDestination(inputs.path);
    const reused = await reuseEarlierAttempt(inputs, context.toolkit);
    if (reused) {
        spend?.known(reused.manifest.history);
        context.report.setReused(reused);
        return;
    }
    await delivery.checkName();
    const changes = await Changes.prepare(inputs, context);
    spend?.known(changes.baselineHistory);
    try {
        const membership = await exportCohort(inputs, context);
        const computed = await changes.compute(membership, context.report.facts(context.clock.now()));
        context.report.setChanges(computed.report);
        context.report.setArtifact(inputs.artifactName, await delivery.deliver(computed.files));
    }
    finally {
        await changes.dispose();
    }
}

;// CONCATENATED MODULE: ./src/html.ts
/**
 * Text for HTML inside the summary's Markdown: the HTML specials, and also backticks and line breaks, which could
 * otherwise end the HTML block or open a code fence.
 */
function escapeHtml(text) {
    return text
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')
        .replace(/'/g, '&#39;')
        .replace(/`/g, '&#96;')
        .replace(/[\r\n\u2028\u2029]+/g, ' ');
}
/** An HTML table: a header row, then the rows; cells are HTML already. */
function htmlTable(head, rows) {
    const row = (cells, tag) => `<tr>${cells.map(cell => `<${tag}>${cell}</${tag}>`).join('')}</tr>`;
    return `<table>${row(head, 'th')}${rows.map(cells => row(cells, 'td')).join('')}</table>`;
}

;// CONCATENATED MODULE: ./src/trend-chart.ts

/**
 * The Mermaid charts of the job summary (xychart-beta, which GitHub renders): members per export, one line per cohort,
 * and entering/exiting per export; and the export labels the charts and tables share. Only cohort IDs (reduced to
 * their alphabet) and numbers reach the chart text.
 */
const TONIGHT = '★';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Members lines, one per cohort, in this order (Mermaid cycles through the palette past the last one). */
const LINE_COLOURS = [
    ['blue', '#2563eb'],
    ['orange', '#ea580c'],
    ['green', '#16a34a'],
    ['purple', '#9333ea'],
    ['red', '#dc2626'],
    ['teal', '#0d9488'],
    ['brown', '#92400e'],
    ['grey', '#6b7280']
];
const ENTERING_COLOUR = '#16a34a';
const EXITING_COLOUR = '#dc2626';
/**
 * One members line per cohort. The x-axis is shared, so every line needs a value for every category: the chart spans
 * the longest history, whose dates label the axis, and histories are aligned on tonight (their last entry, written by
 * this same run). A shorter history (a cohort added to the workflow later) is padded at the front with its earliest
 * count, and the caption says how many exports it really has.
 */
function membersChart(cohorts) {
    const longest = cohorts.reduce((a, b) => (b.history.length > a.history.length ? b : a));
    const width = longest.history.length;
    const counts = cohorts.map(c => {
        const own = c.history.map(e => safeCount(e.memberCount));
        return [...Array(width - own.length).fill(own[0]), ...own];
    });
    const yAxis = `y-axis "Members" ${membersRange(counts.flat())}`;
    if (width === 1) {
        // A line through one point is invisible, and bars at one x would hide each other: one bar per cohort instead.
        const ids = unique(cohorts.map(c => mermaidText(c.cohortId)));
        const axis = cohorts.length === 1
            ? xAxis(longest.history)
            : `x-axis "Cohort, ${xAxisTitle(longest.history)}" ${quoted(ids)}`;
        return mermaidChart([LINE_COLOURS[0][1]], 'Members per export', axis, yAxis, [
            cohorts.length === 1
                ? `bar "${mermaidText(longest.cohortId)}" ${series(counts[0])}`
                : `bar ${series(counts.map(([n]) => n))}`
        ]);
    }
    const lines = cohorts.map((c, i) => `line "${mermaidText(c.cohortId)}" ${series(counts[i])}`);
    const chart = mermaidChart(LINE_COLOURS.map(([, hex]) => hex), 'Members per export', xAxis(longest.history), yAxis, lines);
    if (cohorts.length === 1)
        return chart;
    const names = cohorts.map((c, i) => {
        const note = c.history.length < width ? ` (${c.history.length} of ${width} exports)` : '';
        return `<code>${escapeHtml(c.cohortId)}</code> ${LINE_COLOURS[i % LINE_COLOURS.length][0]}${note}`;
    });
    return `${chart}\n\n<sub>Lines: ${names.join(', ')}.</sub>`;
}
/**
 * Entering and exiting per export, as stacked bars. An export whose counts are null (no comparison ran, e.g. the
 * first one) is left out rather than drawn as 0: a series cannot skip a point, and a 0-tall bar still shows a stub
 * that reads as a small count. Its table row shows "—".
 */
function changesChart(history) {
    const wasCompared = (e) => e.enteringCount !== null || e.exitingCount !== null;
    const compared = history.filter(wasCompared);
    if (compared.length === 0)
        return '<sub>Entering and exiting: no comparison with an earlier export yet.</sub>';
    const exiting = compared.map(e => safeCount(e.exitingCount));
    const stacked = compared.map((e, i) => safeCount(e.enteringCount) + exiting[i]);
    const chart = mermaidChart([ENTERING_COLOUR, EXITING_COLOUR], 'Entering and exiting per export', xAxis(history, wasCompared), `y-axis "Members" 0 --> ${niceCeiling(Math.max(...stacked) * 1.1)}`, [`bar "Entering" ${series(stacked)}`, `bar "Exiting" ${series(exiting)}`]);
    return (`${chart}\n\n<sub>Each bar is entering + exiting: its lower part (red) left the cohort, its upper part ` +
        '(green) joined it.</sub>');
}
/**
 * A ```mermaid xychart. The init directive (understood since Mermaid 10, and by GitHub) sets the series colours and a
 * width that leaves room for 30 x-axis labels.
 */
function mermaidChart(palette, title, xAxis, yAxis, plots) {
    const init = {
        xyChart: { width: 900, height: 400 },
        themeVariables: { xyChart: { plotColorPalette: palette.join(', ') } }
    };
    return [
        '```mermaid',
        `%%{init: ${JSON.stringify(init)}}%%`,
        'xychart-beta',
        `  title "${title}"`,
        `  ${xAxis}`,
        `  ${yAxis}`,
        ...plots.map(plot => `  ${plot}`),
        '```'
    ].join('\n');
}
/**
 * The x-axis of the exports in `history` for which `keep` is true (all by default): "Nov 28" labels; above 12
 * exports only the day ("28"), with the first and last dates in the axis title, so that 30 labels fit side by side.
 * Labels come from the whole history, so an export has the same label in every chart and in the table.
 */
function xAxis(history, keep = () => true) {
    const compact = history.length > 12;
    const labels = exportLabels(history, compact).filter((_, i) => keep(history[i]));
    const dates = history.filter(keep).flatMap(e => parseDate(e.exportedAt) ?? []);
    const span = compact && dates.length > 0 ? `, ${dayLabel(dates[0])} – ${dayLabel(dates[dates.length - 1])}` : '';
    return `x-axis "Export date (UTC)${span}, ${TONIGHT} = tonight" ${quoted(labels)}`;
}
/** The axis title for a single export: "first export, Nov 28 ★". */
function xAxisTitle(history) {
    return `first export, ${exportLabels(history)[0]}`;
}
function quoted(labels) {
    return `[${labels.map(l => `"${l}"`).join(', ')}]`;
}
/** The labels, with " #n" (1-based position) added to any that would otherwise repeat. */
function unique(labels) {
    return labels.map((label, i) => labels.indexOf(label) === labels.lastIndexOf(label) ? label : `${label} #${i + 1}`);
}
function series(values) {
    return `[${values.join(', ')}]`;
}
/** `min --> max` for the members axis: a little room under the lowest count and over the highest, at round numbers. */
function membersRange(values) {
    const low = Math.min(...values);
    const high = Math.max(...values);
    const pad = Math.max((high - low) * 0.1, high * 0.005, 1);
    const step = 10 ** Math.floor(Math.log10(pad));
    const min = Math.max(0, Math.floor((low - pad) / step) * step);
    const max = Math.ceil((high + pad) / step) * step;
    return `${min} --> ${max}`;
}
/** The smallest round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10^k) at or above `value`, at least 1. */
function niceCeiling(value) {
    if (!(value > 1))
        return 1;
    const power = 10 ** Math.floor(Math.log10(value));
    const nice = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find(f => f * power >= value) ?? 10;
    return nice * power;
}
/** A count for the chart: a non-negative integer, 0 when missing or not a number. */
function safeCount(value) {
    return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}
/**
 * Labels for the exports, unique (Mermaid's band axis would merge equal categories): "Nov 28" (UTC) from
 * `exportedAt`, or only "28" when `compact`; the time added ("Nov 28 14:05") when several exports fall on one
 * day; "#5" (the export's position) when the date does not parse; ★ on tonight's.
 */
function exportLabels(history, compact = false) {
    const dates = history.map(e => parseDate(e.exportedAt));
    const days = dates.map((d, i) => (!d ? `#${i + 1}` : compact ? `${d.getUTCDate()}` : dayLabel(d)));
    const withTimes = days.map((day, i) => {
        const d = dates[i];
        if (!d || days.indexOf(day) === days.lastIndexOf(day))
            return day;
        return `${day} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
    });
    return unique(withTimes).map((label, i) => (i === history.length - 1 ? `${label} ${TONIGHT}` : label));
}
function dayLabel(date) {
    return `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}`;
}
function parseDate(text) {
    if (typeof text !== 'string' || text.length > 64)
        return undefined;
    const ms = Date.parse(text);
    return Number.isFinite(ms) ? new Date(ms) : undefined;
}
function pad2(n) {
    return String(n).padStart(2, '0');
}
/**
 * Text inside a Mermaid quoted string: it ends at the next `"` (there is no escape), and Mermaid reads some
 * characters as markup (backticks for Markdown strings, `<` and `&` for HTML, `%%` for comments, `;` as a statement
 * end), so only the cohort-ID alphabet is kept; anything else becomes `_`.
 */
function mermaidText(text) {
    return text.slice(0, 128).replace(/[^A-Za-z0-9_-]/g, '_');
}

;// CONCATENATED MODULE: ./src/trend.ts


const numbers = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
/**
 * One sentence putting tonight in context, e.g. "Members 48,120 (−1,540, −3.1 % vs the previous export; the previous
 * 29 exports ranged 46,900–49,800)." The range is over the exports before tonight (up to 29 of them); `outside` is
 * true when tonight is outside that range (false with a single point; with two points, any change is outside).
 */
function trendSentence(history) {
    const tonight = history.at(-1);
    if (!tonight)
        return { sentence: 'No exports in the history.', outside: false };
    const members = `Members ${numbers.format(tonight.memberCount)}`;
    const before = history.slice(0, -1).map(e => e.memberCount);
    const previous = before.at(-1);
    if (previous === undefined)
        return { sentence: `${members} (first export in the history).`, outside: false };
    const low = Math.min(...before);
    const high = Math.max(...before);
    const count = tonight.memberCount;
    const outside = count < low || count > high;
    const change = describeChange(previous, count);
    if (before.length === 1)
        return { sentence: `${members} (${change}).`, outside };
    const exports = `the previous ${before.length} exports`;
    const range = low === high ? `were all ${numbers.format(low)}` : `ranged ${numbers.format(low)}–${numbers.format(high)}`;
    const context = outside
        ? `${count > high ? 'above' : 'below'} ${exports}, which ${range}`
        : `${exports} ${range}`;
    return { sentence: `${members} (${change}; ${context}).`, outside };
}
/** "unchanged vs the previous export", "−1,540, −3.1 % vs the previous export", "+120, up from 0 at the previous export". */
function describeChange(previous, count) {
    const delta = count - previous;
    if (delta === 0)
        return 'unchanged vs the previous export';
    if (previous === 0)
        return `+${numbers.format(delta)}, up from 0 at the previous export`;
    const sign = delta > 0 ? '+' : '−';
    const percent = (Math.abs(delta) / previous) * 100;
    const shown = percent < 0.05 ? '<0.1' : percent.toFixed(1);
    return `${sign}${numbers.format(Math.abs(delta))}, ${sign}${shown} % vs the previous export`;
}
/**
 * Markdown for the job summary: Mermaid charts, then the same figures as HTML tables for readers without charts.
 *
 * - One cohort: a chart of members over the exports, and a chart of entering and exiting per export (stacked bars,
 *   in a chart of their own because they are orders of magnitude below the members; stacked because xychart draws
 *   bar series over each other, so each bar is entering + exiting tall with exiting as its lower part).
 * - Several cohorts: one chart with a members line per cohort; entering/exiting are in each cohort's table only.
 *   Mermaid 12 draws a legend from the line titles, older versions do not, so a caption names each line's colour.
 * - Tonight is marked with ★ in its x-axis label and its table row. With a single export the members chart is a
 *   bar per cohort (a line through one point is invisible).
 *
 * Only numbers and cohort IDs reach the output; IDs are reduced to [A-Za-z0-9_-] inside Mermaid (whose quoted strings
 * have no escape for `"`) and HTML-escaped in the tables. Request IDs are not shown.
 */
function trendMarkdown(cohorts) {
    const shown = cohorts.filter(c => c.history.length > 0);
    if (shown.length === 0)
        return '';
    const parts = [membersChart(shown)];
    if (shown.length === 1)
        parts.push(changesChart(shown[0].history));
    for (const c of shown)
        parts.push(table(c, shown.length > 1));
    return parts.join('\n\n') + '\n';
}
/** A count for the table: grouped digits, "—" when missing. */
function tableCount(value) {
    return typeof value === 'number' && Number.isFinite(value) ? numbers.format(value) : '—';
}
function table(cohort, named) {
    const labels = exportLabels(cohort.history);
    const head = ['Export (UTC)', 'Members', 'Entering', 'Exiting'].map(h => `<th>${h}</th>`).join('');
    const rows = cohort.history.map((e, i) => {
        const tonight = i === cohort.history.length - 1;
        const cells = [
            labels[i],
            tableCount(e.memberCount),
            tableCount(e.enteringCount),
            tableCount(e.exitingCount)
        ]
            .map(cell => (tonight ? `<b>${cell}</b>` : cell))
            .map((cell, j) => (j === 0 ? `<td>${cell}</td>` : `<td align="right">${cell}</td>`));
        return `<tr>${cells.join('')}</tr>`;
    });
    const caption = named ? `<p>Cohort <code>${escapeHtml(cohort.cohortId)}</code></p>\n` : '';
    return `${caption}<table><tr>${head}</tr>${rows.join('')}</table>`;
}

;// CONCATENATED MODULE: ./src/report.ts




/**
 * What the run has learnt so far, filled in step by step so a failed run still reports what it knew. Sets the step's
 * outputs as facts arrive and writes the job summary at the end.
 */
class Report {
    toolkit;
    cohortId;
    startedAt;
    now;
    requestId;
    finalStatus;
    membership;
    artifact;
    error;
    changes;
    requestedAt;
    /** Amplitude requests spent, by step (the client's live counters). */
    requests = { request: 0, status: 0, file: 0, storage: 0 };
    constructor(toolkit, 
    /** As given: it may be the raw, rejected input. */
    cohortId, startedAt, now) {
        this.toolkit = toolkit;
        this.cohortId = cohortId;
        this.startedAt = startedAt;
        this.now = now;
    }
    /** `requestedAt` is when step 1 was sent: undefined for a resumed request (`request-id`). */
    setRequestId(requestId, requestedAt) {
        this.requestId = requestId;
        this.requestedAt = requestedAt;
        this.toolkit.setOutput(Outputs.RequestId, requestId);
    }
    setStatus(status) {
        this.finalStatus = status;
        this.toolkit.setOutput(Outputs.FinalStatus, status);
    }
    /** What the manifest records of this export, once it has been downloaded. */
    facts(exportedAt) {
        return {
            cohortId: this.cohortId,
            requestId: this.requestId ?? '',
            finalStatus: this.finalStatus ?? 'complete',
            exportedAt: new Date(exportedAt).toISOString()
        };
    }
    /** Everything from the manifest of an export an earlier attempt of this run uploaded (see reuse.ts). */
    setReused(reused) {
        const { manifest } = reused;
        this.toolkit.info(`Re-using the export that an earlier attempt of this run uploaded (request '${manifest.requestId}', ` +
            `artifact id ${reused.artifact.id}): no Amplitude request is spent`);
        this.setRequestId(manifest.requestId);
        this.setStatus(manifest.finalStatus);
        this.setMembership({
            path: reused.path,
            members: manifest.memberCount,
            bytes: manifest.bytes,
            wireBytes: manifest.bytes,
            sha256: manifest.sha256,
            gzip: false
        });
        this.changes = {
            baseline: manifest.baseline,
            fullSync: manifest.fullSync ?? null,
            entering: manifest.enteringCount,
            exiting: manifest.exitingCount,
            changed: manifest.changedCount,
            skipped: manifest.skippedCount ?? null,
            files: reused.files,
            history: Array.isArray(manifest.history) ? manifest.history : []
        };
        this.artifact = reused.artifact;
    }
    setMembership(membership) {
        this.membership = membership;
    }
    setChanges(changes) {
        this.changes = changes;
    }
    setArtifact(name, artifact) {
        if (artifact)
            this.artifact = { ...artifact, name };
    }
    /** Sets the file and artifact outputs (artifact ones empty when nothing was uploaded) and logs the final line. */
    succeed() {
        const file = this.membership;
        if (!file)
            throw new Error('no membership file to report');
        const { toolkit } = this;
        toolkit.setOutput(Outputs.CohortFile, file.path);
        toolkit.setOutput(Outputs.MemberCount, String(file.members));
        toolkit.setOutput(Outputs.Bytes, String(file.bytes));
        toolkit.setOutput(Outputs.Sha256, file.sha256);
        toolkit.setOutput(Outputs.ArtifactId, this.artifact ? String(this.artifact.id) : '');
        toolkit.setOutput(Outputs.ArtifactUrl, this.artifact?.url ?? '');
        const changes = this.changes;
        const count = (n) => (n === null || n === undefined ? '' : String(n));
        toolkit.setOutput(Outputs.Baseline, changes?.baseline ?? 'none');
        const fullSync = changes?.fullSync;
        toolkit.setOutput(Outputs.FullSync, fullSync === null || fullSync === undefined ? '' : String(fullSync));
        toolkit.setOutput(Outputs.EnteringCount, count(changes?.entering));
        toolkit.setOutput(Outputs.ExitingCount, count(changes?.exiting));
        toolkit.setOutput(Outputs.ChangedCount, count(changes?.changed));
        toolkit.setOutput(Outputs.SkippedCount, count(changes?.skipped));
        toolkit.setOutput(Outputs.EnteringFile, changes?.files.entering ?? '');
        toolkit.setOutput(Outputs.ExitingFile, changes?.files.exiting ?? '');
        toolkit.setOutput(Outputs.ChangedFile, changes?.files.changed ?? '');
        toolkit.setOutput(Outputs.SkippedFile, changes?.files.skipped ?? '');
        const history = changes?.history ?? [];
        if (history.length > 0) {
            const { sentence, outside } = trendSentence(history);
            toolkit.info(sentence);
            // With fewer than two earlier exports any change is "outside the range": not worth a notice.
            if (outside && history.length >= 3)
                toolkit.notice(`Cohort '${this.cohortId}': ${sentence}`);
        }
        const sent = this.requests;
        toolkit.info(`Exported cohort '${this.cohortId}': ${file.members} members, ${(0,format/* formatBytes */.z3)(file.bytes)}, ` +
            `sha256 ${file.sha256}, in ${(0,format/* formatDuration */.a3)(this.now() - this.startedAt)} ` +
            `(cohort requests spent: ${sent.request}; Amplitude requests: ${sent.request} export, ${sent.status} status, ` +
            `${sent.file} file, ${sent.storage} storage)`);
    }
    /** This cohort's entry of the `results` output (several cohorts): the single-cohort outputs' facts, and `error`. */
    result() {
        // A failed cohort's file (e.g. one that min-members refused) is not reported as its export.
        const file = this.error ? undefined : this.membership;
        const changes = this.changes;
        return {
            requestId: this.requestId ?? null,
            finalStatus: this.finalStatus ?? null,
            memberCount: file?.members ?? null,
            bytes: file?.bytes ?? null,
            sha256: file?.sha256 ?? null,
            cohortFile: file?.path ?? null,
            artifactId: this.artifact?.id ?? null,
            artifactUrl: this.artifact?.url ?? null,
            baseline: changes?.baseline ?? 'none',
            fullSync: changes?.fullSync ?? null,
            enteringCount: changes?.entering ?? null,
            exitingCount: changes?.exiting ?? null,
            changedCount: changes?.changed ?? null,
            skippedCount: changes?.skipped ?? null,
            ...(this.error ? { error: this.error } : {})
        };
    }
    /** The exports of this cohort so far (empty before the comparison ran). */
    get history() {
        return this.changes?.history ?? [];
    }
    get failed() {
        return this.error !== undefined;
    }
    /** The request to resume with `request-id` after a failure, when step 1 got that far. */
    get resumable() {
        return this.requestId ? { requestId: this.requestId, requestedAt: this.requestedAt } : undefined;
    }
    fail(message) {
        this.error = message;
        this.toolkit.setFailed(message);
    }
    /**
     * Writes the job summary: a table of what was exported, or of what was known when the run failed, then `footer`
     * (the month's cohort requests).
     */
    async writeSummary(footer = '') {
        const file = this.membership;
        const rows = [
            ['Cohort', `<code>${escapeHtml(this.cohortId)}</code>`],
            ['Request ID', this.requestId ? `<code>${this.requestId}</code>` : '—'],
            ['Final status', this.finalStatus ?? '—'],
            ['Members', file ? file.members.toLocaleString('en-US') : '—'],
            ['Size', file ? `${(0,format/* formatBytes */.z3)(file.bytes)} (${file.bytes} bytes)` : '—'],
            ['SHA-256', file ? `<code>${file.sha256}</code>` : '—'],
            ['Duration', (0,format/* formatDuration */.a3)(this.now() - this.startedAt)],
            ['Cohort requests spent', String(this.requests.request)],
            [
                'Artifact',
                this.artifact ? `<a href="${this.artifact.url}">${this.artifact.name}</a>` : 'not uploaded'
            ],
            ...changeRows(this.changes)
        ];
        const heading = this.error ? 'Amplitude cohort export failed' : 'Amplitude cohort export';
        let text = `<h2>${heading}</h2>\n`;
        const history = this.changes?.history ?? [];
        if (!this.error && history.length > 0) {
            text += `\n${historySection(this.cohortId, history)}\n`;
        }
        text += `${htmlTable(['Field', 'Value'], rows)}\n`;
        if (this.error)
            text += `\n**Error:** ${escapeHtml(this.error)}\n\n`;
        text += footer;
        await this.toolkit
            .appendSummary(text)
            .catch(error => this.toolkit.warning(`Could not write the job summary: ${error.message}`));
    }
}
/** The summary's view of the exports so far: the sentence about tonight, then the charts and their table. */
function historySection(cohortId, history) {
    return `${trendSentence(history).sentence}\n\n${trendMarkdown([{ cohortId, history }])}`;
}
/** The summary rows of the comparison, when one ran. */
function changeRows(changes) {
    if (!changes || changes.entering === null)
        return [];
    const baseline = changes.baseline === 'none'
        ? 'none: a full sync (every member is entering; replace the whole list)'
        : changes.baseline === 'file'
            ? "the file given as 'compare-with'"
            : changes.baselineUrl
                ? `<a href="${changes.baselineUrl}">run ${escapeHtml(changes.baseline)}</a>`
                : `run ${escapeHtml(changes.baseline)}`;
    return [
        ['Compared with', baseline],
        ['Entering', (0,format/* formatCount */.B4)(changes.entering)],
        ['Exiting', (0,format/* formatCount */.B4)(changes.exiting)],
        ['Changed', (0,format/* formatCount */.B4)(changes.changed)],
        ['Skipped (empty or repeated key)', (0,format/* formatCount */.B4)(changes.skipped)]
    ];
}

;// CONCATENATED MODULE: ./src/budget.ts



const DAY_MS = 86_400_000;
const budget_MONTHS = [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December'
];
/**
 * This month's spend and its forecast. The pace is by whole UTC days, today counted whole (a nightly workflow spends
 * today's requests in one run): pace = (spent + planned) / (today − from + 1) per day, forecast = spent + planned +
 * pace × (days − today). `from` is the 1st when the workflow already ran before this month (a history holds an earlier
 * export, or is at its limit and may have dropped them); otherwise the day of its first export this month (a workflow
 * started mid-month); with no history at all, today.
 */
function monthSpend(histories, options) {
    const { now, planned = 0 } = options;
    const date = new Date(now);
    const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    const end = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
    const days = Math.round((end - start) / DAY_MS);
    const today = date.getUTCDate();
    const byRequest = new Map();
    let ranBefore = false;
    let atLeast = false;
    let first = Infinity;
    for (const history of histories) {
        const times = history.map(e => Date.parse(e.exportedAt)).filter(t => Number.isFinite(t));
        const oldest = Math.min(...times);
        if (oldest < start)
            ranBefore = true;
        else if (history.length >= HISTORY_LIMIT && oldest < end)
            atLeast = ranBefore = true;
        for (const entry of history) {
            const at = Date.parse(entry.exportedAt);
            if (!(at >= start && at < end))
                continue;
            first = Math.min(first, at);
            const requests = budget_isCount(entry.requests) ? entry.requests : 1;
            byRequest.set(entry.requestId, Math.max(byRequest.get(entry.requestId) ?? 0, requests));
        }
    }
    const spent = [...byRequest.values()].reduce((sum, n) => sum + n, 0);
    const firstDay = first === Infinity ? today : new Date(first).getUTCDate();
    const from = ranBefore ? 1 : Math.min(firstDay, today);
    const total = spent + planned;
    const forecast = Math.round((total * (days - from + 1)) / (today - from + 1));
    return {
        start,
        end,
        name: budget_MONTHS[date.getUTCMonth()],
        days,
        today,
        spent,
        planned,
        atLeast,
        from,
        forecast
    };
}
/** Whether one more cohort request stays within the budget (none: no limit). */
function mayRequest(options) {
    const { budget, spent, made } = options;
    return budget === undefined || spent + made < budget;
}
/**
 * Throws RequestBudgetError when one more cohort request would pass the budget. `spent`: this month's count before
 * the step (`monthSpend(...).spent`); `made`: the step-1 requests this step has sent so far.
 */
function checkBudget(options) {
    if (mayRequest(options))
        return;
    const { spent, made, now } = options;
    const date = new Date(now);
    const next = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1));
    throw new errors/* RequestBudgetError */.tD(spent + made, options.budget, `${budget_MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`, next.toISOString().slice(0, 10));
}
const budget_numbers = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
/**
 * The summary's sentence, e.g. "December: 112 cohort requests spent by this workflow; at this pace about 260 by
 * Dec 31." followed by what it cannot see.
 */
function spendSentence(month, budget) {
    const { spent, planned, atLeast } = month;
    const unseen = "Amplitude's own count may be higher: it includes every cohort request made outside this workflow.";
    if (spent + planned === 0)
        return `${month.name}: no cohort requests spent by this workflow so far. ${unseen}`;
    const of = budget === undefined ? '' : ` of ${budget_numbers.format(budget)} budgeted`;
    const noun = spent === 1 && budget === undefined ? 'cohort request' : 'cohort requests';
    const count = `${atLeast ? 'at least ' : ''}${budget_numbers.format(spent)}${of} ${noun} spent by this workflow`;
    const tonight = planned > 0 ? `, and ${budget_numbers.format(planned)} tonight` : '';
    const forecast = atLeast
        ? `${budget_numbers.format(month.forecast)} or more`
        : `about ${budget_numbers.format(month.forecast)}`;
    return `${month.name}: ${count}${tonight}; at this pace ${forecast} by ${monthEnd(month)}. ${unseen}`;
}
/**
 * The notice when the forecast passes the budget, with the day the requests would start to be refused; undefined
 * when it does not (or there is no budget).
 */
function forecastNotice(month, budget) {
    const total = month.spent + month.planned;
    const elapsed = month.today - month.from + 1;
    // forecast > budget, in whole numbers: total × (days − from + 1) / elapsed > budget.
    if (budget === undefined || total * (month.days - month.from + 1) <= budget * elapsed)
        return undefined;
    const input = `'${Inputs.MonthlyRequestBudget}' (${budget_numbers.format(budget)})`;
    const reset = `${shortMonth(month.end)} 1`;
    // The whole days the rest of the budget lasts at this pace; the first refusal comes the day after.
    const refusedOn = total >= budget
        ? 'now'
        : `about ${day(month, month.today + Math.floor(((budget - total) * elapsed) / total) + 1)}`;
    return (`At this pace this workflow spends about ${budget_numbers.format(month.forecast)} cohort requests in ${month.name}, more ` +
        `than ${input}: its cohort requests are refused from ${refusedOn} until ${reset} (UTC). Raise the budget, or ` +
        'export fewer cohorts or less often.');
}
/** `Dec 31`: the month's last day. */
function monthEnd(month) {
    return day(month, month.days);
}
function day(month, n) {
    return `${shortMonth(month.start)} ${n}`;
}
function shortMonth(at) {
    return budget_MONTHS[new Date(at).getUTCMonth()].slice(0, 3);
}
function budget_isCount(value) {
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

;// CONCATENATED MODULE: ./src/request-budget.ts


/**
 * The month's cohort requests across the cohorts of one step, for `monthly-request-budget` and the summary. Each
 * cohort says once what history its baseline carries (or that it has none); a step-1 request waits until every cohort
 * has, so that the month's count is complete, then is counted against the budget before it is sent. Counting and
 * checking happen in one synchronous step, so cohorts that reach step 1 together cannot both pass the last place.
 */
class RequestBudget {
    budget;
    now;
    histories = [];
    waiting;
    ready;
    release = () => undefined;
    /** Step-1 requests this step has let through. */
    made = 0;
    constructor(
    /** Undefined: no limit (the month is still counted for the summary). */
    budget, cohorts, now) {
        this.budget = budget;
        this.now = now;
        this.waiting = cohorts;
        this.ready = new Promise(resolve => {
            this.release = resolve;
        });
        if (cohorts === 0)
            this.release();
    }
    /** One cohort's part: call `known` once its baseline's history is known, and `done` whatever happens. */
    forCohort() {
        let counted = false;
        const count = (history) => {
            if (counted)
                return;
            counted = true;
            if (history)
                this.histories.push(history);
            if (--this.waiting === 0)
                this.release();
        };
        return { known: count, done: () => count() };
    }
    /** Before a step-1 request: throws RequestBudgetError when it would pass the budget, and counts it otherwise. */
    async beforeRequest() {
        if (this.budget !== undefined) {
            await this.ready;
            checkBudget({ budget: this.budget, spent: this.spentBefore(), made: this.made, now: this.now() });
        }
        this.made++;
    }
    /** This month so far: the baselines' histories and the requests this step sent. */
    month() {
        const at = new Date(this.now()).toISOString();
        const tonight = Array.from({ length: this.made }, (_, i) => ({
            exportedAt: at,
            requestId: `\0step-${i}`,
            requests: 1
        }));
        return monthSpend([...this.histories, tonight], { now: this.now() });
    }
    spentBefore() {
        return monthSpend(this.histories, { now: this.now() }).spent;
    }
}
/**
 * The summary's paragraph on the month's cohort requests (one cohort or several), and the notice when the forecast
 * passes the budget.
 */
function spendParagraph(budget, notice) {
    const month = budget.month();
    const warning = forecastNotice(month, budget.budget);
    if (warning)
        notice(warning);
    return `<p>${escapeHtml(spendSentence(month, budget.budget))}</p>\n`;
}

;// CONCATENATED MODULE: ./src/dry-run-plan.ts



function dryRunSummary(cohorts, month, budget) {
    const rows = cohorts.map(c => [
        `<code>${escapeHtml(c.id)}</code>`,
        c.name === null ? '—' : escapeHtml(c.name),
        (0,format/* formatCount */.B4)(c.size),
        c.lastComputed === null ? '—' : utcMinute(c.lastComputed),
        baselineCell(c),
        String(c.requests)
    ]);
    if (cohorts.length > 1) {
        const total = cohorts.reduce((sum, c) => sum + c.requests, 0);
        rows.push(['<b>Total</b>', '', '', '', '', `<b>${total}</b>`]);
    }
    const head = ['Cohort', 'Name', 'Size', 'Last computed (UTC)', 'Compared with', 'Cohort requests'];
    const notice = forecastNotice(month, budget);
    return ('<h2>Amplitude cohort export: dry run</h2>\n' +
        "<p>Nothing was exported or uploaded, and no cohort request was spent. Tonight's run would do this:</p>\n" +
        `${htmlTable(head, rows)}\n` +
        `<p>${escapeHtml(spendSentence(month, budget))}</p>\n` +
        (notice ? `<p><b>Notice:</b> ${escapeHtml(notice)}</p>\n` : ''));
}
function baselineCell(cohort) {
    const text = escapeHtml(cohort.baseline);
    const url = cohort.baselineUrl;
    return url !== undefined && /^https?:\/\//i.test(url) ? `<a href="${escapeHtml(url)}">${text}</a>` : text;
}
/** `2026-12-01 02:00`. */
function utcMinute(ms) {
    return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

;// CONCATENATED MODULE: ./src/dry-run.ts










/**
 * `dry-run: true`: checks everything a real night needs and says in the summary what it would do, spending no cohort
 * request and uploading nothing. The keys, the region and each cohort are checked through the list of cohorts
 * (`GET /api/3/cohorts`, which costs no cohort request); `min-members` against the cohort's last computed size; the
 * baseline as a real run finds it (so `actions: read` is proven, and its file is checked against its manifest); the
 * artifact runtime and name; and the month's budget with tonight's requests. The first problem fails the run with the
 * error a real run would give.
 */
async function dryRun(inputs, context) {
    const { toolkit, clock, signal } = context;
    toolkit.setOutput(Outputs.FinalStatus, 'dry-run');
    const several = inputs.cohorts.length > 1;
    let current;
    try {
        const cohorts = await listCohorts(inputs, context);
        const planned = [];
        const histories = [];
        for (const id of inputs.cohorts) {
            current = id;
            const cohort = several ? cohortInputs(inputs, id) : inputs;
            const info = checkCohort(cohorts.get(id), id, inputs.minMembers);
            const baseline = await checkDelivery(cohort, context);
            if (baseline?.manifest)
                histories.push(baseline.manifest.history);
            planned.push({
                id,
                name: info.name,
                size: info.size,
                lastComputed: info.lastComputed,
                baseline: describeBaseline(baseline, inputs),
                baselineUrl: baseline?.runUrl,
                requests: inputs.requestId ? 0 : 1
            });
        }
        current = undefined;
        const requests = planned.reduce((sum, c) => sum + c.requests, 0);
        const month = monthSpend(histories, { now: clock.now(), planned: requests });
        for (let made = 0; made < requests; made++) {
            checkBudget({ budget: inputs.monthlyRequestBudget, spent: month.spent, made, now: clock.now() });
        }
        const notice = forecastNotice(month, inputs.monthlyRequestBudget);
        if (notice)
            toolkit.notice(notice);
        toolkit.info(`Dry run: every check passed. Tonight's run would spend ${requests} cohort request${requests === 1 ? '' : 's'}`);
        await toolkit.appendSummary(dryRunSummary(planned, month, inputs.monthlyRequestBudget));
    }
    catch (error) {
        const message = failureMessage(error, signal, undefined);
        toolkit.setFailed(several && current !== undefined ? `cohort '${current}': ${message}` : message);
    }
}
/** The project's cohorts by ID: the keys and the region are right when Amplitude answers this. */
async function listCohorts(inputs, context) {
    const client = new AmplitudeClient({
        baseUrl: inputs.baseUrl,
        authorization: inputs.authorization,
        requestTimeoutMs: inputs.requestTimeoutMs,
        signal: context.signal,
        log: context.toolkit,
        clock: context.clock,
        redact: context.redact
    });
    try {
        return new Map((await client.listCohorts()).map(cohort => [cohort.id, cohort]));
    }
    finally {
        client.dispose();
    }
}
function checkCohort(info, id, minMembers) {
    if (!info)
        throw new errors/* CohortNotFoundError */.DM(id);
    if (info.archived)
        throw new errors/* CohortArchivedError */.Aj(id, info.name);
    if (info.size !== null && info.size < minMembers)
        throw new errors/* CohortTooSmallError */.TF(id, info.size, minMembers);
    return info;
}
/** Where the file would go, the baseline it would be compared with, and the artifact name: as a real run checks them. */
async function checkDelivery(inputs, context) {
    await prepareDestination(inputs.path);
    await new Delivery(inputs, context.toolkit).checkName();
    const baseline = await findBaseline(inputs, context);
    await baseline?.dispose();
    return baseline;
}
function describeBaseline(baseline, inputs) {
    if (inputs.compareWith.kind === 'none')
        return 'none (compare-with: none)';
    if (!baseline)
        return 'none: a full sync';
    if (baseline.source === 'file')
        return "the file given as 'compare-with'";
    const exported = baseline.manifest?.exportedAt;
    return `run ${baseline.source}${exported ? ` (exported ${exported.slice(0, 16).replace('T', ' ')} UTC)` : ''}`;
}

;// CONCATENATED MODULE: ./src/secrets.ts
/**
 * Replaces every known secret form with `***` in text that is about to be logged, summarised or thrown. The runner
 * masks registered secrets too, but only on a real runner: this keeps secrets out of text on every host, and out of
 * text echoed back by a server (URLs, headers, bodies) before it reaches a log.
 */
class Redactor {
    secrets = [];
    constructor(secrets = []) {
        for (const secret of secrets)
            this.add(secret);
    }
    /** Adds a secret; strings shorter than 3 characters are ignored (they would blank ordinary words). */
    add(secret) {
        if (secret.length < 3 || this.secrets.includes(secret))
            return;
        // Longest first, so a secret that contains another is replaced whole.
        this.secrets = [...this.secrets, secret].sort((a, b) => b.length - a.length);
    }
    redact(text) {
        let out = text;
        for (const secret of this.secrets)
            out = out.split(secret).join('***');
        return out;
    }
}
/** The toolkit with every log line, failure and summary passed through `redactor` first. */
function withRedaction(toolkit, redactor) {
    const redact = (text) => redactor.redact(text);
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
    };
}

;// CONCATENATED MODULE: ./src/phase-log.ts
/**
 * The log of several cohorts exported at once, kept readable: one group per phase (request, wait, download, compare,
 * upload), each with one line per cohort event prefixed with the cohort's ID. The cohorts run concurrently, so a
 * phase's group is written once every cohort has left that phase (or ended); lines of later phases wait until then.
 */
const PHASES = [
    'Prepare',
    'Request the cohort export',
    'Wait for the export job',
    'Download the membership file',
    'Compare with the last export',
    'Upload the artifact',
    'Report'
];
const GROUPS = [
    'Prepare (baselines, re-use)',
    'Request the cohort exports',
    'Wait for the export jobs',
    'Download the membership files',
    'Compare with the last exports',
    'Upload the artifacts',
    'Report'
];
class PhaseLog {
    toolkit;
    lines = PHASES.map(() => []);
    /** Each cohort's phase (an index of PHASES). */
    phase = new Map();
    flushed = 0;
    constructor(toolkit, cohortIds) {
        this.toolkit = toolkit;
        for (const id of cohortIds)
            this.phase.set(id, 0);
    }
    /** The toolkit one cohort logs through: its lines prefixed, grouped by phase; outputs and failure stay the step's. */
    forCohort(cohortId) {
        const { toolkit } = this;
        const line = (write) => (message) => {
            this.lines[this.phase.get(cohortId) ?? 0].push(t => write(t, `[${cohortId}] ${message}`));
        };
        return {
            env: toolkit.env,
            getInput: name => toolkit.getInput(name),
            setSecret: secret => toolkit.setSecret(secret),
            setOutput: () => undefined,
            setFailed: () => undefined,
            appendSummary: async () => undefined,
            info: line((t, m) => t.info(m)),
            debug: line((t, m) => t.debug(m)),
            warning: line((t, m) => t.warning(m)),
            notice: line((t, m) => t.notice(m)),
            // Lines after a step, until the next one starts, stay in that step's group.
            group: (name, fn) => {
                this.enter(cohortId, PHASES.indexOf(name));
                return fn();
            }
        };
    }
    /** A cohort's export has ended (exported or failed): its lines from now on go to the last group, 'Report'. */
    end(cohortId) {
        this.enter(cohortId, PHASES.length - 1);
    }
    /** Writes every group that no cohort is still in or before; the last one ('Report') only when `final`. */
    flush(final = false) {
        const lowest = final ? PHASES.length : Math.min(PHASES.length - 1, ...this.phase.values());
        for (; this.flushed < lowest; this.flushed++)
            this.write(this.flushed);
    }
    enter(cohortId, phase) {
        if (phase > (this.phase.get(cohortId) ?? 0))
            this.phase.set(cohortId, phase);
        this.flush();
    }
    write(phase) {
        const lines = this.lines[phase].splice(0);
        if (lines.length === 0)
            return;
        this.toolkit.info(`::group::${GROUPS[phase]}`);
        for (const write of lines)
            write(this.toolkit);
        this.toolkit.info('::endgroup::');
    }
}

;// CONCATENATED MODULE: ./src/scheduler.ts

/** What Amplitude documents: 5 concurrent requests, 4 cohort requests a minute; and 2 downloads for the runner. */
const AMPLITUDE_LIMITS = Object.freeze({
    maxInFlight: 5,
    startsPerWindow: 4,
    windowMs: 60_000,
    maxDownloads: 2
});
class Scheduler {
    limits;
    clock;
    inFlight = 0;
    downloads = 0;
    startCount = 0;
    waiting = [];
    /**
     * The step-1 requests still holding a window slot, each until `windowMs` after it settled (Infinity while in flight).
     * Amplitude sees a request arrive after it was sent, so a slot counted from the call could free a few ms early by its
     * count; counted from the answer it never does.
     */
    window = [];
    pausedUntil = { request: 0, status: 0, file: 0 };
    /** The one pending wake-up for waits on time; `at` is when it fires. */
    timer;
    dispatching = false;
    again = false;
    constructor(limits, clock) {
        this.limits = limits;
        this.clock = clock;
    }
    /** Step-1 requests started so far (for the 'cohort requests spent' count). */
    get started() {
        return this.startCount;
    }
    /**
     * Runs `fn` once a slot is free: at most maxInFlight at once; for 'request' also at most startsPerWindow starts in
     * any rolling windowMs (a step-1 request holds its window slot from the call of `fn` until windowMs after it
     * settles, so one `fn` should send one request); never while `endpoint` is paused. FIFO per endpoint. Rejects with
     * CancelledError if `signal` aborts while waiting; the slot is released when `fn` settles.
     */
    run(endpoint, fn, signal) {
        return this.schedule(endpoint, fn, signal);
    }
    /** Runs `fn` with at most maxDownloads at once. */
    download(fn, signal) {
        return this.schedule('download', fn, signal);
    }
    /** A Retry-After from Amplitude on `endpoint`: no request to it starts before now + `ms` (pauses only extend). */
    pause(endpoint, ms) {
        this.pausedUntil[endpoint] = Math.max(this.pausedUntil[endpoint], this.clock.now() + ms);
        this.dispatch();
    }
    /**
     * Queues `fn`; `dispatch` calls it (synchronously, so a start counts at the moment `fn` is called) once the lane
     * allows, and the slot is released when it settles. A waiter cancelled before that takes nothing.
     */
    schedule(lane, fn, signal) {
        return new Promise((resolve, reject) => {
            if (signal.aborted)
                return reject(new errors/* CancelledError */.cc());
            const onAbort = () => {
                const index = this.waiting.indexOf(waiter);
                if (index < 0)
                    return;
                this.waiting.splice(index, 1);
                reject(new errors/* CancelledError */.cc());
                this.dispatch(); // the next waiter of this lane may be free to go now
            };
            const slot = { settled: Infinity };
            const release = () => {
                if (lane === 'download')
                    this.downloads--;
                else
                    this.inFlight--;
                slot.settled = this.clock.now();
                this.dispatch();
            };
            const waiter = {
                lane,
                start: () => {
                    signal.removeEventListener('abort', onAbort);
                    if (lane === 'request') {
                        this.startCount++;
                        this.window.push(slot);
                    }
                    let result;
                    try {
                        result = Promise.resolve(fn());
                    }
                    catch (error) {
                        result = Promise.reject(error);
                    }
                    result.then(value => {
                        release();
                        resolve(value);
                    }, (error) => {
                        release();
                        reject(error);
                    });
                }
            };
            signal.addEventListener('abort', onAbort, { once: true });
            this.waiting.push(waiter);
            this.dispatch();
        });
    }
    /** Grants every waiter that may start now, in arrival order, and sets the timer for the earliest wait on time. */
    dispatch() {
        // `fn` may call back into the scheduler (run, pause) before it returns: go round again instead of nesting.
        if (this.dispatching) {
            this.again = true;
            return;
        }
        this.dispatching = true;
        let wake;
        try {
            do {
                this.again = false;
                wake = this.grant();
            } while (this.again);
        }
        finally {
            this.dispatching = false;
        }
        this.arm(wake);
    }
    /** One pass over the waiters; returns when the earliest wait on time ends (Infinity for none). */
    grant() {
        const now = this.clock.now();
        this.window = this.window.filter(slot => slot.settled + this.limits.windowMs > now);
        const blocked = new Set();
        let wake = Infinity;
        for (const waiter of [...this.waiting]) {
            // A waiter cancelled by an `fn` started in this pass is gone.
            if (!this.waiting.includes(waiter))
                continue;
            if (blocked.has(waiter.lane))
                continue; // FIFO: nobody overtakes a blocked waiter of its lane
            const until = this.blockedUntil(waiter.lane, now);
            if (until > now) {
                blocked.add(waiter.lane);
                wake = Math.min(wake, until);
                continue;
            }
            this.waiting.splice(this.waiting.indexOf(waiter), 1);
            if (waiter.lane === 'download')
                this.downloads++;
            else
                this.inFlight++;
            waiter.start();
        }
        return wake;
    }
    /**
     * When `lane` could start: `now` or earlier when it can start now, Infinity when it waits for a slot to be released
     * (a release dispatches again), else the moment its pause ends or its window slot frees.
     */
    blockedUntil(lane, now) {
        if (lane === 'download')
            return this.downloads < this.limits.maxDownloads ? now : Infinity;
        if (this.inFlight >= this.limits.maxInFlight)
            return Infinity;
        let until = this.pausedUntil[lane];
        const { window: held, limits } = this;
        if (lane === 'request' && held.length >= limits.startsPerWindow) {
            // One more may start when all but startsPerWindow - 1 of the held slots have freed; Infinity while the one to
            // wait for is in flight (its release dispatches again).
            const settled = held.map(slot => slot.settled).sort((a, b) => a - b);
            until = Math.max(until, settled[held.length - limits.startsPerWindow] + limits.windowMs);
        }
        return until;
    }
    /** Keeps one timer for the earliest wait on time; an earlier one replaces it, none is needed when nobody waits. */
    arm(at) {
        if (this.waiting.length === 0) {
            this.timer?.controller.abort();
            this.timer = undefined;
            return;
        }
        // A later or no wake-up: the pending timer fires first and dispatch() then sets the next one.
        if (at === Infinity || (this.timer && this.timer.at <= at))
            return;
        this.timer?.controller.abort();
        const timer = { at, controller: new AbortController() };
        this.timer = timer;
        this.clock.sleep(Math.max(1, at - this.clock.now()), timer.controller.signal).then(() => {
            if (this.timer === timer)
                this.timer = undefined;
            this.dispatch();
        }, () => undefined // replaced or no longer needed
        );
    }
}

;// CONCATENATED MODULE: ./src/several.ts











/**
 * Several cohorts in one step, within Amplitude's limits: every cohort's export runs at once through one scheduler
 * (at most 4 step-1 requests in any minute, 5 Amplitude requests in flight, 2 downloads; a Retry-After pauses every
 * cohort's requests to that endpoint). A cohort that fails does not stop the others; the step fails at the end,
 * listing each failed cohort with its error. Outputs: `results` (JSON by cohort ID) and `failedCohorts`, which one
 * cohort sets too (main.ts).
 */
async function exportSeveral(inputs, context) {
    const { toolkit, clock, signal } = context;
    const started = clock.now();
    const scheduler = new Scheduler(AMPLITUDE_LIMITS, clock);
    const budget = new RequestBudget(inputs.monthlyRequestBudget, inputs.cohorts.length, () => clock.now());
    const log = new PhaseLog(toolkit, inputs.cohorts);
    const reports = await Promise.all(inputs.cohorts.map(async (cohortId) => {
        const cohort = log.forCohort(cohortId);
        const report = new Report(cohort, cohortId, clock.now(), () => clock.now());
        try {
            await exportOne(cohortInputs(inputs, cohortId), {
                ...context,
                toolkit: cohort,
                report,
                scheduler,
                budget
            });
            log.end(cohortId);
            report.succeed();
        }
        catch (error) {
            log.end(cohortId);
            report.fail(failureMessage(error, signal, report.resumable, cohortId));
            cohort.warning(`failed: ${report.result().error?.split('\n')[0]}`);
        }
        return [cohortId, report];
    }));
    log.flush(true);
    const { results, failed } = setResults(toolkit, reports);
    const spent = reports.reduce((sum, [, report]) => sum + report.requests.request, 0);
    toolkit.info(`Exported ${reports.length - failed.length} of ${reports.length} cohorts in ` +
        `${Math.round((clock.now() - started) / 1000)}s (cohort requests spent: ${spent})`);
    await toolkit
        .appendSummary(summary(results, reports, spent) + spendParagraph(budget, message => toolkit.notice(message)))
        .catch(error => toolkit.warning(`Could not write the job summary: ${error.message}`));
    if (failed.length > 0) {
        toolkit.setFailed(`${failed.length} of ${reports.length} cohorts failed:\n` +
            failed.map(id => `- ${id}: ${results[id].error}`).join('\n'));
    }
}
/**
 * Sets `results` (JSON by cohort ID: each cohort's single-cohort outputs, and `error` when it failed) and
 * `failedCohorts`, for one cohort as for several, so that a downstream job needs no change when a cohort is added.
 */
function setResults(toolkit, reports) {
    const results = Object.fromEntries(reports.map(([id, report]) => [id, report.result()]));
    const failed = reports.filter(([, report]) => report.failed).map(([id]) => id);
    toolkit.setOutput(Outputs.Results, JSON.stringify(results));
    toolkit.setOutput(Outputs.FailedCohorts, failed.join(','));
    return { results, failed };
}
/** One row per cohort, the members chart with a line per cohort, and the cohort requests spent. */
function summary(results, reports, spent) {
    const failed = reports.filter(([, r]) => r.failed).length;
    const head = [
        'Cohort',
        'Request ID',
        'Status',
        'Members',
        'Size',
        'Entering',
        'Exiting',
        'Changed',
        'Artifact'
    ];
    const rows = reports.map(([id]) => {
        const r = results[id];
        const artifact = r.artifactUrl ? `<a href="${r.artifactUrl}">${r.artifactId}</a>` : '—';
        const status = r.error ? `failed: ${escapeHtml(r.error.split('\n')[0])}` : (r.finalStatus ?? '—');
        return [
            `<code>${escapeHtml(id)}</code>`,
            r.requestId ? `<code>${r.requestId}</code>` : '—',
            status,
            (0,format/* formatCount */.B4)(r.memberCount),
            r.bytes === null ? '—' : (0,format/* formatBytes */.z3)(r.bytes),
            (0,format/* formatCount */.B4)(r.enteringCount),
            (0,format/* formatCount */.B4)(r.exitingCount),
            (0,format/* formatCount */.B4)(r.changedCount),
            artifact
        ];
    });
    const chart = trendMarkdown(reports.map(([cohortId, report]) => ({ cohortId, history: report.history })));
    // Each cohort's tonight in context, one sentence each.
    const sentences = reports
        .filter(([, report]) => report.history.length > 0)
        .map(([id, report]) => `<li><code>${escapeHtml(id)}</code>: ${trendSentence(report.history).sentence}</li>`);
    const heading = failed
        ? `Amplitude cohort export: ${failed} of ${reports.length} failed`
        : 'Amplitude cohort export';
    return (`<h2>${heading}</h2>\n\n${sentences.length ? `<ul>${sentences.join('')}</ul>\n\n` : ''}` +
        `${chart ? `${chart}\n` : ''}${htmlTable(head, rows)}\n\n` +
        `Cohort requests spent: ${spent}\n`);
}

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 11 modules
var core = __webpack_require__(91659);
;// CONCATENATED MODULE: ./src/toolkit.ts

/** The toolkit of a real run: `@actions/core` and `process.env`. */
const actionsToolkit = {
    getInput: name => core/* getInput */.V4(name),
    setOutput: (name, value) => core/* setOutput */.uH(name, value),
    setSecret: secret => core/* setSecret */.Pq(secret),
    setFailed: message => core/* setFailed */.C1(message),
    info: message => core/* info */.pq(message),
    debug: message => core/* debug */.Yz(message),
    warning: message => core/* warning */.$e(message),
    notice: message => core/* notice */.lm(message),
    group: (name, fn) => core/* group */.Os(name, fn),
    appendSummary: async (text) => {
        if (process.env.GITHUB_STEP_SUMMARY)
            await core/* summary */.z.addRaw(text).write();
    },
    env: process.env
};

;// CONCATENATED MODULE: ./src/main.ts













/**
 * Exports one Amplitude cohort (or several: see several.ts): read the inputs → re-use an earlier attempt's export, or
 * find the baseline, export (request, wait, download), compare and deliver → report.
 */
async function run(toolkit = actionsToolkit, clock = systemClock) {
    const redactor = new Redactor();
    const actions = withRedaction(toolkit, redactor);
    const report = new Report(actions, actions.getInput(Inputs.CohortId), clock.now(), () => clock.now());
    const cancel = cancelOnSignals();
    const context = {
        toolkit: actions,
        clock,
        signal: cancel.signal,
        redact: (text) => redactor.redact(text)
    };
    let several = false;
    let cohortId;
    let budget;
    try {
        const inputs = readInputs(actions, redactor);
        cohortId = inputs.cohortId;
        new Delivery(inputs, actions).requireRuntime();
        several = inputs.cohorts.length > 1 || inputs.dryRun;
        if (inputs.dryRun)
            return await dryRun(inputs, context);
        if (several)
            return await exportSeveral(inputs, context);
        budget = new RequestBudget(inputs.monthlyRequestBudget, 1, () => clock.now());
        await exportOne(inputs, { ...context, report, budget });
        report.succeed();
    }
    catch (error) {
        report.fail(failureMessage(error, cancel.signal, report.resumable));
    }
    finally {
        cancel.dispose();
        // With several cohorts, exportSeveral() reports (outputs, summary, failure) for all of them, and a dry run
        // reports itself. One cohort sets
        // `results` and `failedCohorts` too, in the same shape, once its ID is known to be valid.
        if (!several) {
            if (cohortId !== undefined)
                setResults(actions, [[cohortId, report]]);
            await report.writeSummary(budget ? spendParagraph(budget, message => actions.notice(message)) : '');
        }
    }
}


/***/ })

};
