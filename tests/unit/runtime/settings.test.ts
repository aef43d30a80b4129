import assert from "node:assert/strict";
import { DEFAULT_SETTINGS, readSettings, SETTINGS_ENV } from "../../../provider/runtime/settings";

describe("readSettings", () => {
  it("uses the defaults for real EC2 when nothing is set", () => {
    assert.deepEqual(readSettings({}), {
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
  });

  it("reads every setting from its variable", () => {
    const env = {
      EBS_SNAPSHOTS_DESCRIBE_INTERVAL_MS: "5",
      EBS_SNAPSHOTS_READ_WINDOW_MS: "7",
      EBS_SNAPSHOTS_POLL_MIN_MS: "10",
      EBS_SNAPSHOTS_POLL_MAX_MS: "20",
      EBS_SNAPSHOTS_RETRY_MIN_MS: "0",
      EBS_SNAPSHOTS_RETRY_MAX_MS: "40",
      EBS_SNAPSHOTS_VOLUME_SPACING_MS: "50",
      EBS_SNAPSHOTS_REQUEST_TIMEOUT_MS: "60",
      EBS_SNAPSHOTS_VISIBILITY_GRACE_MS: " 70 ",
    };
    assert.deepEqual(readSettings(env), {
      describeIntervalMs: 5,
      readWindowMs: 7,
      pollMinMs: 10,
      pollMaxMs: 20,
      retryMinMs: 0,
      retryMaxMs: 40,
      volumeSpacingMs: 50,
      requestTimeoutMs: 60,
      visibilityGraceMs: 70,
    });
  });

  it("refuses a describe interval of 0, which would poll without pause, naming the variable", () => {
    assert.throws(() => readSettings({ EBS_SNAPSHOTS_DESCRIBE_INTERVAL_MS: "0" }), {
      message: "EBS_SNAPSHOTS_DESCRIBE_INTERVAL_MS must be at least 1 ms, got 0. Raise or unset EBS_SNAPSHOTS_DESCRIBE_INTERVAL_MS.",
    });
  });

  it("ignores variables that are empty or blank", () => {
    assert.deepEqual(readSettings({ EBS_SNAPSHOTS_POLL_MIN_MS: "", EBS_SNAPSHOTS_RETRY_MIN_MS: "  " }), { ...DEFAULT_SETTINGS });
  });

  const bad = ["abc", "1.5", "-1", "Infinity", "1e100", "10ms"];
  for (const raw of bad) {
    it(`rejects ${JSON.stringify(raw)}, naming the variable`, () => {
      assert.throws(() => readSettings({ EBS_SNAPSHOTS_REQUEST_TIMEOUT_MS: raw }), {
        message: `EBS_SNAPSHOTS_REQUEST_TIMEOUT_MS must be a whole number of milliseconds, got "${raw}". Correct or unset EBS_SNAPSHOTS_REQUEST_TIMEOUT_MS.`,
      });
    });
  }

  it("rejects a shortest poll longer than the longest, naming both variables", () => {
    assert.throws(() => readSettings({ EBS_SNAPSHOTS_POLL_MIN_MS: "130000" }), {
      message: "EBS_SNAPSHOTS_POLL_MIN_MS (130000) must not exceed EBS_SNAPSHOTS_POLL_MAX_MS (120000). Lower EBS_SNAPSHOTS_POLL_MIN_MS or raise EBS_SNAPSHOTS_POLL_MAX_MS.",
    });
  });

  it("rejects a first retry delay longer than the longest, naming both variables", () => {
    assert.throws(() => readSettings({ EBS_SNAPSHOTS_RETRY_MAX_MS: "500" }), {
      message: "EBS_SNAPSHOTS_RETRY_MIN_MS (1000) must not exceed EBS_SNAPSHOTS_RETRY_MAX_MS (500). Lower EBS_SNAPSHOTS_RETRY_MIN_MS or raise EBS_SNAPSHOTS_RETRY_MAX_MS.",
    });
  });

  it("reads process.env when given no environment", () => {
    const name = SETTINGS_ENV.visibilityGraceMs;
    const saved = process.env[name];
    process.env[name] = "1234";
    try {
      assert.equal(readSettings().visibilityGraceMs, 1_234);
    } finally {
      if (saved === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = saved;
      }
    }
  });

  it("returns a fresh object each time and keeps the defaults frozen", () => {
    const settings = readSettings({});
    settings.pollMinMs = 1;
    assert.deepEqual([readSettings({}).pollMinMs, Object.isFrozen(DEFAULT_SETTINGS)], [5_000, true]);
  });
});
