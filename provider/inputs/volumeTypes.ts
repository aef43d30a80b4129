/**
 * EBS volume types and the limits EC2 documents for each ("Amazon EBS volume types", Amazon EBS User
 * Guide): sizes, provisioned IOPS and throughput. `check` applies the limits that need no size; the
 * restore's preflight applies the ratios once each snapshot's size is known.
 */
export const VOLUME_TYPES = ["gp3", "gp2", "io1", "io2", "st1", "sc1", "standard"] as const;

export type VolumeType = (typeof VOLUME_TYPES)[number];

export interface Range {
  min: number;
  max: number;
}

export interface VolumeTypeLimits {
  sizeGiB: Range;
  /** Provisioned IOPS, when the type takes them; `required` for io1/io2. */
  iops?: Range & { perGiB: number; required: boolean; default?: number };
  /** Provisioned throughput in MiB/s (gp3 only); at most `perIops` MiB/s per provisioned IOPS. */
  throughput?: Range & { perIops: number; default: number };
}

export const VOLUME_TYPE_LIMITS: Readonly<Record<VolumeType, VolumeTypeLimits>> = {
  gp3: {
    sizeGiB: { min: 1, max: 65_536 },
    iops: { min: 3_000, max: 80_000, perGiB: 500, required: false, default: 3_000 },
    throughput: { min: 125, max: 2_000, perIops: 0.25, default: 125 },
  },
  gp2: { sizeGiB: { min: 1, max: 16_384 } },
  io1: { sizeGiB: { min: 4, max: 16_384 }, iops: { min: 100, max: 64_000, perGiB: 50, required: true } },
  io2: { sizeGiB: { min: 4, max: 65_536 }, iops: { min: 100, max: 256_000, perGiB: 1_000, required: true } },
  st1: { sizeGiB: { min: 125, max: 16_384 } },
  sc1: { sizeGiB: { min: 125, max: 16_384 } },
  standard: { sizeGiB: { min: 1, max: 1_024 } },
};

/** EC2's volume initialization rate (CreateVolume `VolumeInitializationRate`), MiB/s. */
export const INITIALIZATION_RATE: Range = { min: 100, max: 300 };

export function isVolumeType(value: unknown): value is VolumeType {
  return typeof value === "string" && (VOLUME_TYPES as readonly string[]).includes(value);
}

/** A volume's settings as the program gives them. */
export interface VolumeSettings {
  volumeType: VolumeType;
  iops?: number;
  throughput?: number;
}

/**
 * What EC2 would refuse about these settings for a volume of `sizeGiB`, by property; the size-free
 * rules when the size is not known yet (check).
 */
export function volumeSettingProblems(settings: VolumeSettings, sizeGiB?: number): { property: "volumeType" | "iops" | "throughput" | "sizeGiB"; reason: string }[] {
  const { volumeType, iops, throughput } = settings;
  const limits = VOLUME_TYPE_LIMITS[volumeType];
  const problems: { property: "volumeType" | "iops" | "throughput" | "sizeGiB"; reason: string }[] = [];
  if (limits.iops === undefined && iops !== undefined) {
    problems.push({ property: "iops", reason: `iops cannot be set for volumeType ${volumeType}; only gp3, io1 and io2 take provisioned IOPS` });
  } else if (limits.iops !== undefined && iops === undefined && limits.iops.required) {
    problems.push({ property: "iops", reason: `iops is required for volumeType ${volumeType} (${limits.iops.min} to ${limits.iops.max})` });
  } else if (limits.iops !== undefined && iops !== undefined && (iops < limits.iops.min || iops > limits.iops.max)) {
    problems.push({ property: "iops", reason: `iops for volumeType ${volumeType} must be from ${limits.iops.min} to ${limits.iops.max}, got ${iops}` });
  }
  if (limits.throughput === undefined && throughput !== undefined) {
    problems.push({ property: "throughput", reason: `throughput cannot be set for volumeType ${volumeType}; only gp3 takes provisioned throughput` });
  } else if (limits.throughput !== undefined && throughput !== undefined) {
    if (throughput < limits.throughput.min || throughput > limits.throughput.max) {
      problems.push({
        property: "throughput",
        reason: `throughput for volumeType ${volumeType} must be from ${limits.throughput.min} to ${limits.throughput.max} MiB/s, got ${throughput}`,
      });
    } else {
      const provisioned = iops ?? limits.iops?.default ?? 0;
      if (throughput > provisioned * limits.throughput.perIops) {
        problems.push({
          property: "throughput",
          reason: `throughput ${throughput} MiB/s needs at least ${Math.ceil(throughput / limits.throughput.perIops)} IOPS on ${volumeType} (at most ${limits.throughput.perIops} MiB/s per IOPS), and iops is ${provisioned}`,
        });
      }
    }
  }
  if (sizeGiB !== undefined) {
    if (sizeGiB < limits.sizeGiB.min || sizeGiB > limits.sizeGiB.max) {
      problems.push({ property: "sizeGiB", reason: `a ${volumeType} volume is ${limits.sizeGiB.min} to ${limits.sizeGiB.max} GiB, and this one would be ${sizeGiB} GiB` });
    }
    // gp3's baseline IOPS come with any size; only more than that needs the size to carry them.
    if (limits.iops !== undefined && iops !== undefined && iops > Math.max(limits.iops.default ?? 0, sizeGiB * limits.iops.perGiB)) {
      problems.push({
        property: "iops",
        reason: `iops ${iops} is more than ${volumeType} allows for ${sizeGiB} GiB (${limits.iops.perGiB} IOPS per GiB, so at most ${sizeGiB * limits.iops.perGiB}); raise sizeGiB or lower iops`,
      });
    }
  }
  return problems;
}
