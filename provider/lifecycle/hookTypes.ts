import type { CheckFailure } from "../inputs/validate";

/** Results of the dynamic-provider hooks, as the host expects them (plain JSON values only). */
export interface CheckResult<T> {
  inputs: T;
  failures: CheckFailure[];
}

export interface DiffHookResult {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

export interface CreateResult<T> {
  id: string;
  outs: T;
}

export interface ReadResult<T> {
  id: string;
  props: T | Record<string, never>;
}

export interface UpdateResult<T> {
  outs: T;
}

/** What every hook receives: a plain object, with the serialized provider under `__provider`. */
export type Props = Record<string, unknown>;
