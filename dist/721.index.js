export const id = 721;
export const ids = [721];
export const modules = {

/***/ 49721:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   checkArtifactName: () => (/* binding */ checkArtifactName),
/* harmony export */   downloadOwnArtifact: () => (/* binding */ downloadOwnArtifact),
/* harmony export */   downloadRunArtifact: () => (/* binding */ downloadRunArtifact),
/* harmony export */   uploadMembership: () => (/* binding */ uploadMembership)
/* harmony export */ });
/* unused harmony export artifactUrl */
/* harmony import */ var _actions_artifact__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(16938);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(83916);
/* harmony import */ var _runtime_runner_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(9852);
// The workflow artifact, through `@actions/artifact`. Loaded lazily (it is most of the bundle): a first attempt that
// does not upload never loads it.





/** The artifact's page in the run: `$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID/artifacts/<id>`. */
function artifactUrl(id, env) {
    return `${(0,_runtime_runner_js__WEBPACK_IMPORTED_MODULE_4__/* .runUrl */ .Vp)(env)}/artifacts/${id}`;
}
function conflict(name) {
    return new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ArtifactError */ .nE(`An artifact named '${name}' already exists in this workflow run (a re-run?)`, name);
}
/**
 * Checks that no artifact of that name exists in this run yet (unless `overwrite`). A failed check (the service
 * unreachable) is only a warning: the upload may still work, and it reports its own errors.
 */
async function checkArtifactName(options, log) {
    if (options.overwrite)
        return;
    try {
        const existing = await new _actions_artifact__WEBPACK_IMPORTED_MODULE_0__/* .DefaultArtifactClient */ .t9().getArtifact(options.name);
        log.debug(`Artifact '${options.name}' exists (id ${existing.artifact.id})`);
    }
    catch (error) {
        if (error instanceof _actions_artifact__WEBPACK_IMPORTED_MODULE_0__/* .ArtifactNotFoundError */ .CL)
            return;
        log.warning(`Could not check whether artifact '${options.name}' already exists: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .messageOf */ .bD)(error)}`);
        return;
    }
    throw conflict(options.name);
}
/**
 * Uploads the membership file (and the files beside it: change files, manifest) as a workflow artifact. With
 * `overwrite`, an artifact of the same name in this run (a re-run of the job) is deleted first; without it, the name
 * conflict is an ArtifactError.
 */
async function uploadMembership(files, options, log, env) {
    const client = new _actions_artifact__WEBPACK_IMPORTED_MODULE_0__/* .DefaultArtifactClient */ .t9();
    if (options.overwrite) {
        try {
            const deleted = await client.deleteArtifact(options.name);
            log.info(`Deleted the existing artifact '${options.name}' (id ${deleted.id}) because 'overwrite' is true`);
        }
        catch (error) {
            if (!(error instanceof _actions_artifact__WEBPACK_IMPORTED_MODULE_0__/* .ArtifactNotFoundError */ .CL))
                throw error;
            log.debug(`No existing artifact '${options.name}' to overwrite`);
        }
    }
    try {
        const result = await client.uploadArtifact(options.name, files, (0,node_path__WEBPACK_IMPORTED_MODULE_2__.dirname)(files[0]), {
            retentionDays: options.retentionDays,
            compressionLevel: options.compressionLevel
        });
        if (result.id === undefined)
            throw new Error('the artifact service returned no artifact id');
        log.info(`Uploaded ${files.map(f => (0,node_path__WEBPACK_IMPORTED_MODULE_2__.basename)(f)).join(', ')} as artifact '${options.name}' (id ${result.id})`);
        return { id: result.id, url: artifactUrl(result.id, env) };
    }
    catch (error) {
        if (/\(409\)|already exists/i.test((0,_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .messageOf */ .bD)(error)))
            throw conflict(options.name);
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ArtifactError */ .nE(`The artifact upload failed: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .messageOf */ .bD)(error)}`);
    }
}
/**
 * Downloads an artifact of another run of this repository into `dir` as its zip, not inflated (the caller inflates
 * what it needs, within bounds); returns the zip's path.
 */
async function downloadRunArtifact(id, from, dir) {
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdir)(dir, { recursive: true });
    await new _actions_artifact__WEBPACK_IMPORTED_MODULE_0__/* .DefaultArtifactClient */ .t9().downloadArtifact(id, {
        path: dir,
        skipDecompress: true,
        findBy: {
            token: from.token,
            workflowRunId: from.runId,
            repositoryOwner: from.repositoryOwner,
            repositoryName: from.repositoryName
        }
    });
    const [file, ...more] = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.readdir)(dir);
    if (file === undefined || more.length > 0)
        throw new Error(`expected one zip file, found ${more.length + (file ? 1 : 0)}`);
    return (0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(dir, file);
}
/** This run's artifact of that name (uploaded by an earlier attempt), downloaded into `dir`; undefined when none. */
async function downloadOwnArtifact(name, dir, env) {
    const client = new _actions_artifact__WEBPACK_IMPORTED_MODULE_0__/* .DefaultArtifactClient */ .t9();
    let id;
    try {
        id = (await client.getArtifact(name)).artifact.id;
    }
    catch (error) {
        if (error instanceof _actions_artifact__WEBPACK_IMPORTED_MODULE_0__/* .ArtifactNotFoundError */ .CL)
            return undefined;
        throw error;
    }
    await client.downloadArtifact(id, { path: dir });
    return { id, url: artifactUrl(id, env) };
}


/***/ })

};
