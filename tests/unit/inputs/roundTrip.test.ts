import assert from "node:assert/strict";
import { roundTripProblem } from "../../../provider/inputs/roundTrip";
import { fieldsOf, validateInputs } from "../../../provider/inputs/validate";
import { SNAPSHOT_SPEC } from "../../../provider/resources/snapshot/spec";

const VOLUME = "vol-0123456789abcdef0";

describe("roundTripProblem", () => {
  it("accepts what EC2's XML carries unchanged: line feeds, tabs, spaces at the ends, markup characters, any Unicode", () => {
    for (const text of ["two\nlines", "a\tb", "  padded  ", `&<>"'`, "non\u00a0breaking", "line\u2028separator", "next\u0085line", "emoji 😀", "Ünïcödé 日本語", "\u007f"]) {
      assert.equal(roundTripProblem(text), undefined, JSON.stringify(text));
    }
  });

  it("refuses a carriage return, which comes back as a line feed, and says where and what to write", () => {
    assert.equal(
      roundTripProblem("Windows\r\nline"),
      "has a carriage return (\\r) at character 8: EC2's XML answers hand it back as a line feed (\\n), so the value would differ from the program's after every refresh; write line breaks as \\n",
    );
  });

  it("refuses every control character XML 1.0 forbids, and the two noncharacters it forbids too", () => {
    const forbidden = [...Array.from({ length: 0x20 }, (_, c) => c).filter((c) => c !== 0x9 && c !== 0xa && c !== 0xd), 0xfffe, 0xffff];
    for (const code of forbidden) {
      assert.match(
        roundTripProblem(`x${String.fromCharCode(code)}`) ?? "",
        /^has the control character U\+[0-9A-F]{4} at character 2, which EC2's answers cannot carry \(XML 1\.0 forbids it\); remove it$/,
        code.toString(16),
      );
    }
    assert.equal(roundTripProblem("a\u0007b"), "has the control character U+0007 at character 2, which EC2's answers cannot carry (XML 1.0 forbids it); remove it");
  });

  it("refuses an unpaired surrogate, and counts a paired one as one character", () => {
    assert.equal(roundTripProblem("😀\ud800"), "has an unpaired UTF-16 surrogate (U+D800) at character 2, which is not valid Unicode and cannot be sent to EC2");
    assert.equal(roundTripProblem("\udc00"), "has an unpaired UTF-16 surrogate (U+DC00) at character 1, which is not valid Unicode and cannot be sent to EC2");
  });
});

describe("check refuses text EC2 cannot hand back", () => {
  it("names the description, the tag key and the tag value it finds in", () => {
    assert.deepEqual(validateInputs(fieldsOf(SNAPSHOT_SPEC), { volumeId: VOLUME, description: "nightly\r", tags: { "Team\u0001": "storage", Note: "a\rb" } }), [
      {
        property: "description",
        reason:
          "description has a carriage return (\\r) at character 8: EC2's XML answers hand it back as a line feed (\\n), so the value would differ from the program's after every refresh; write line breaks as \\n",
      },
      { property: 'tags["Team\\u0001"]', reason: "the tag key has the control character U+0001 at character 5, which EC2's answers cannot carry (XML 1.0 forbids it); remove it" },
      {
        property: 'tags["Note"]',
        reason:
          "the tag value has a carriage return (\\r) at character 2: EC2's XML answers hand it back as a line feed (\\n), so the value would differ from the program's after every refresh; write line breaks as \\n",
      },
    ]);
  });
});
