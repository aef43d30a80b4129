import { ExplainedError } from "../messages/failureMessage";
/**
 * Tunables read from the environment at call time.
 *
 * They are read inside provider methods, never at module load, so that the serialized provider
 * carries no environment value and a test or emulator can shorten the schedule for one process.
 */
export interface Settings {
  /**
   * The rate budget of waiting: the least time between two shared DescribeSnapshots rounds (likewise
   * DescribeSnapshotTierStatus rounds) per provider process and region. A snapshot's detection lag is
   * at most this plus a round trip.
   */
  describeIntervalMs: number;
  /**
   * How long a read (refresh, and the describe of update) waits for the reads of other resources of the
   * process to share its DescribeSnapshots call (scheduling/readBatch.ts).
   */
  readWindowMs: number;
  /** Shortest wait between two lookups of one thing not yet visible (a new snapshot's product codes). */
  pollMinMs: number;
  /** Longest gap between two rounds, when predictions skip rounds or throttling stretches them (the AWS SDK waiter's own maximum). */
  pollMaxMs: number;
  /** First backoff delay after a retryable EC2 error. */
  retryMinMs: number;
  /** Longest backoff delay after a retryable EC2 error. */
  retryMaxMs: number;
  /** EC2 accepts one new snapshot per volume every 15 s; a retry after SnapshotCreationPerVolumeRateExceeded waits at least this long. */
  volumeSpacingMs: number;
  /** Socket timeout of one HTTP request to EC2. */
  requestTimeoutMs: number;
  /** How long a snapshot id may be missing from DescribeSnapshots right after its creation (EC2 is eventually consistent). */
  visibilityGraceMs: number;
}

/** Defaults chosen for real EC2, where snapshots take minutes to hours. */
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  describeIntervalMs: 10_000,
  readWindowMs: 20,
  pollMinMs: 5_000,
  pollMaxMs: 120_000,
  retryMinMs: 1_000,
  retryMaxMs: 30_000,
  volumeSpacingMs: 15_000,
  requestTimeoutMs: 30_000,
  visibilityGraceMs: 120_000,
});

/** The environment variable behind each setting. */
export const SETTINGS_ENV: Readonly<Record<keyof Settings, string>> = Object.freeze({
  describeIntervalMs: "EBS_SNAPSHOTS_DESCRIBE_INTERVAL_MS",
  readWindowMs: "EBS_SNAPSHOTS_READ_WINDOW_MS",
  pollMinMs: "EBS_SNAPSHOTS_POLL_MIN_MS",
  pollMaxMs: "EBS_SNAPSHOTS_POLL_MAX_MS",
  retryMinMs: "EBS_SNAPSHOTS_RETRY_MIN_MS",
  retryMaxMs: "EBS_SNAPSHOTS_RETRY_MAX_MS",
  volumeSpacingMs: "EBS_SNAPSHOTS_VOLUME_SPACING_MS",
  requestTimeoutMs: "EBS_SNAPSHOTS_REQUEST_TIMEOUT_MS",
  visibilityGraceMs: "EBS_SNAPSHOTS_VISIBILITY_GRACE_MS",
});

/**
 * Reads the settings; a variable that is set but is not a non-negative integer is an error, because a
 * silently ignored typo would leave a production run polling on the wrong schedule.
 */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const settings: Settings = { ...DEFAULT_SETTINGS };
  for (const key of Object.keys(SETTINGS_ENV) as (keyof Settings)[]) {
    const name = SETTINGS_ENV[key];
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") {
      continue;
    }
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new ExplainedError(`${name} must be a whole number of milliseconds, got "${raw}"`, `correct or unset ${name}`);
    }
    settings[key] = value;
  }
  if (settings.describeIntervalMs < 1) {
    throw new ExplainedError(`${SETTINGS_ENV.describeIntervalMs} must be at least 1 ms, got ${settings.describeIntervalMs}`, `raise or unset ${SETTINGS_ENV.describeIntervalMs}`);
  }
  if (settings.pollMinMs > settings.pollMaxMs) {
    throw new ExplainedError(
      `${SETTINGS_ENV.pollMinMs} (${settings.pollMinMs}) must not exceed ${SETTINGS_ENV.pollMaxMs} (${settings.pollMaxMs})`,
      `lower ${SETTINGS_ENV.pollMinMs} or raise ${SETTINGS_ENV.pollMaxMs}`,
    );
  }
  if (settings.retryMinMs > settings.retryMaxMs) {
    throw new ExplainedError(
      `${SETTINGS_ENV.retryMinMs} (${settings.retryMinMs}) must not exceed ${SETTINGS_ENV.retryMaxMs} (${settings.retryMaxMs})`,
      `lower ${SETTINGS_ENV.retryMinMs} or raise ${SETTINGS_ENV.retryMaxMs}`,
    );
  }
  return settings;
}
