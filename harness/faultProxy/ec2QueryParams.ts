import { Ec2Refusal } from "./ec2Refusal";

/**
 * Reading the EC2 Query form of a request the proxy answers itself. The SDK flattens lists as
 * `Name.1`, `Name.2` and filters as `Filter.N.Name` / `Filter.N.Value.M`; a parameter EC2 would refuse
 * is refused here with EC2's code for it, naming the parameter.
 */
type Params = Readonly<Record<string, string>>;

export interface QueryFilter {
  name: string;
  values: string[];
}

function indexed(params: Params, pattern: RegExp): Array<[number, string]> {
  return Object.entries(params)
    .flatMap(([key, value]): Array<[number, string]> => {
      const match = pattern.exec(key);
      return match === null ? [] : [[Number(match[1]), value]];
    })
    .sort(([left], [right]) => left - right);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The values of the list `name.1`, `name.2`, … in index order. */
export function listParam(params: Params, name: string): string[] {
  return indexed(params, new RegExp(`^${escapeRegExp(name)}\\.(\\d+)$`)).map(([, value]) => value);
}

/** The request's filters, refusing names the action does not know (EC2's InvalidParameterValue). */
export function filterParams(params: Params, known: readonly string[]): QueryFilter[] {
  const filters = indexed(params, /^Filter\.(\d+)\.Name$/).map(([index, name]) => ({ name, values: listParam(params, `Filter.${index}.Value`) }));
  const unknown = filters.find((filter) => !known.includes(filter.name));
  if (unknown !== undefined) {
    throw new Ec2Refusal("InvalidParameterValue", `The filter '${unknown.name}' is invalid`);
  }
  return filters;
}

/** Whether `value` passes every filter named `name` (filters are ANDed, the values of one filter ORed, as on EC2). */
export function passesFilters(filters: readonly QueryFilter[], name: string, value: string | undefined): boolean {
  return filters.filter((filter) => filter.name === name).every((filter) => value !== undefined && filter.values.includes(value));
}

export function requiredParam(params: Params, name: string): string {
  const value = params[name];
  if (value === undefined || value === "") {
    throw new Ec2Refusal("MissingParameter", `The request must contain the parameter ${name}`);
  }
  return value;
}

/** An optional integer within [min, max] (max may be Infinity). */
export function integerParam(params: Params, name: string, min: number, max: number): number | undefined {
  const raw = params[name];
  if (raw === undefined) {
    return undefined;
  }
  const value = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.POSITIVE_INFINITY ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new Ec2Refusal("InvalidParameterValue", `Value (${raw}) for parameter ${name} is invalid. ${name} must be an integer ${range}.`);
  }
  return value;
}

export function booleanParam(params: Params, name: string): boolean | undefined {
  const raw = params[name];
  if (raw === undefined) {
    return undefined;
  }
  if (raw !== "true" && raw !== "false") {
    throw new Ec2Refusal("InvalidParameterValue", `Value (${raw}) for parameter ${name} is invalid. ${name} must be true or false.`);
  }
  return raw === "true";
}

// ISO 8601 as EC2 accepts timestamps: a date, optionally a time with seconds and fractions, and a zone.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;

/** An optional ISO 8601 timestamp, as epoch milliseconds. */
export function timestampParam(params: Params, name: string): number | undefined {
  const raw = params[name];
  if (raw === undefined) {
    return undefined;
  }
  const value = ISO_8601.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(value)) {
    throw new Ec2Refusal("InvalidParameterValue", `Value (${raw}) for parameter ${name} is invalid. ${name} must be an ISO 8601 timestamp.`);
  }
  return value;
}

export function isDryRun(params: Params): boolean {
  return booleanParam(params, "DryRun") === true;
}
