import { describe, expect, it } from "vitest";
import { contentTerms, lightStem } from "./content-terms.js";

describe("content terms", () => {
  it("keeps what a statement is about, without function words or change markers", () => {
    expect(contentTerms("Actually my dog is called Max now.")).toEqual(["dog", "call", "max"]);
    expect(contentTerms("My dog is called Rex.")).toEqual(["dog", "call", "rex"]);
    expect(contentTerms("Where does my sister Anna live?")).toEqual(["sister", "anna", "live"]);
    expect(contentTerms("My sister Anna lives in Berlin.")).toEqual(["sister", "anna", "live", "berlin"]);
    expect(contentTerms("What am I allergic to?")).toEqual(["allergic"]);
    expect(contentTerms("I'm a nurse, aren't I?")).toEqual(["nurse", "aren't"]);
  });

  it("stems lightly and predictably", () => {
    expect(["lives", "called", "allergies", "watches", "working", "class", "bus", "red"].map(lightStem)).toEqual([
      "live",
      "call",
      "allergy",
      "watch",
      "work",
      "class",
      "bus",
      "red",
    ]);
  });

  it("treats curly apostrophes as straight ones", () => {
    expect(contentTerms("I’m learning Welsh, Anna’s language.")).toEqual(["learn", "welsh", "anna", "language"]);
    expect(contentTerms("I’m here.")).toEqual([]);
  });
});
