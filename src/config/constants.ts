/** Input names: the contract users write into their workflows (action.yml lists the same). */
export const Inputs = {
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
} as const

/** Output names (camelCase, as in the workflow this action implements). */
export const Outputs = {
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
} as const

export const Regions = {
  us: 'https://amplitude.com',
  eu: 'https://analytics.eu.amplitude.com'
} as const

export const Defaults = {
  pollInterval: '5s',
  timeout: '30m',
  requestTimeout: '1m',
  compressionLevel: 6,
  compareKey: 'amplitude_id'
} as const
