import assert from "node:assert/strict";
import sinon from "sinon";
import { warn, writeLine } from "../../../provider/messages/log";
import { currentCall, withCallContext } from "../../../provider/runtime/callContext";

describe("writeLine", () => {
  let stderr: sinon.SinonStub;

  beforeEach(() => {
    stderr = sinon.stub(process.stderr, "write").returns(true);
  });

  afterEach(() => {
    stderr.restore();
  });

  /** What reached stderr, one entry per write. */
  const stderrWrites = (): unknown[] => stderr.getCalls().map((call): unknown => (call.args as unknown[])[0]);

  it("sends a line inside a call context to that call's sink, not to stderr", async () => {
    // given a call whose lines go to the engine's log
    const sink: string[] = [];
    // when a line is written during the call
    await withCallContext({ log: (line) => sink.push(line) }, async () => writeLine('Snapshot "db": snap-1 40% pending'));
    // then the sink has it and stderr has nothing
    assert.deepEqual([sink, stderrWrites()], [['Snapshot "db": snap-1 40% pending'], []]);
  });

  it("writes a line outside any call context to stderr, with a newline", () => {
    writeLine('Snapshot "db": snap-1 40% pending');
    assert.deepEqual(stderrWrites(), ['Snapshot "db": snap-1 40% pending\n']);
  });

  it("writes to stderr inside a call context that has no sink", async () => {
    await withCallContext({ timeoutMs: 3_000 }, async () => writeLine("a line"));
    assert.deepEqual(stderrWrites(), ["a line\n"]);
  });

  it("keeps the call's sink across awaits", async () => {
    // given a call that writes before and after waiting on a timer
    const sink: string[] = [];
    await withCallContext({ log: (line) => sink.push(line) }, async () => {
      writeLine("before");
      await new Promise((resolve) => setTimeout(resolve, 1));
      writeLine("after");
    });
    // then both lines reach the sink
    assert.deepEqual([sink, stderrWrites()], [["before", "after"], []]);
  });

  it("keeps each concurrent call's lines apart", async () => {
    // given two calls running at once, each with its own sink
    const first: string[] = [];
    const second: string[] = [];
    const call = (sink: string[], name: string, delayMs: number) =>
      withCallContext({ log: (line) => sink.push(line) }, async () => {
        writeLine(`${name} started`);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        writeLine(`${name} done`);
      });
    // when their awaits interleave
    await Promise.all([call(first, "a", 5), call(second, "b", 1)]);
    // then each sink has only its own call's lines
    assert.deepEqual([first, second, stderrWrites()], [["a started", "a done"], ["b started", "b done"], []]);
  });

  it("goes back to stderr once the call has ended", async () => {
    const sink: string[] = [];
    await withCallContext({ log: (line) => sink.push(line) }, async () => writeLine("during"));
    writeLine("after");
    assert.deepEqual([sink, stderrWrites(), currentCall()], [["during"], ["after\n"], undefined]);
  });

  it("sends a warning to the call's sink as the one line it writes", async () => {
    const sink: string[] = [];
    await withCallContext({ log: (line) => sink.push(line) }, async () => warn('Snapshot "db"', "volume vol-1 is attached to a running instance"));
    assert.deepEqual([sink, stderrWrites()], [['warning: Snapshot "db": volume vol-1 is attached to a running instance'], []]);
  });
});
