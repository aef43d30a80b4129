/** One request the proxy received, as the test sees it afterwards. */
export interface RecordedRequest {
  /** The Query-protocol `Action`, or "" when the request carried none. */
  action: string;
  /** The form body (and query string), decoded; lists appear flattened as EC2 receives them (`SnapshotId.1`). */
  params: Readonly<Record<string, string>>;
  /** The access key id the request was signed with (SigV4 `Credential=`), when it was signed. */
  accessKeyId?: string;
  /** Arrival time, epoch milliseconds. */
  at: number;
  /** The HTTP status sent to the client; 0 while unanswered and when no answer was ever sent (reset, client gone). */
  status: number;
  /** Whether the request reached the upstream emulator, i.e. whether "EC2" could have acted on it. */
  forwarded: boolean;
  /** What the proxy did instead of (or on top of) relaying, e.g. "error:RequestLimitExceeded", "reset:after-forward". */
  fault?: string;
}

/** Decodes an `application/x-www-form-urlencoded` body plus the URL's query string; the body wins on a clash. */
export function decodeQueryParams(url: string, body: string): Record<string, string> {
  const params: Record<string, string> = {};
  const queryStart = url.indexOf("?");
  if (queryStart >= 0) {
    for (const [key, value] of new URLSearchParams(url.slice(queryStart + 1))) {
      params[key] = value;
    }
  }
  for (const [key, value] of new URLSearchParams(body)) {
    params[key] = value;
  }
  return params;
}

/** The access key id of a SigV4 Authorization header: `AWS4-HMAC-SHA256 Credential=<id>/<date>/...`. */
export function signingKeyId(authorization: string | undefined): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(authorization ?? "")?.[1];
}

/** Every request in arrival order, with the questions the suites ask of it. */
export class RequestLog {
  private readonly entries: RecordedRequest[] = [];

  get all(): readonly RecordedRequest[] {
    return this.entries;
  }

  add(entry: RecordedRequest): RecordedRequest {
    this.entries.push(entry);
    return entry;
  }

  of(action: string): RecordedRequest[] {
    return this.entries.filter((entry) => entry.action === action);
  }

  count(action: string): number {
    return this.of(action).length;
  }

  actions(): string[] {
    return this.entries.map((entry) => entry.action);
  }

  clear(): void {
    this.entries.length = 0;
  }
}
