import { describe, expect, it } from "vitest";
import { nodeArgumentsEnableSourceMaps } from "../../../emulator/host/appSettings";

describe("nodeArgumentsEnableSourceMaps", () => {
  it("is on only when the worker's Node arguments name --enable-source-maps, as Azure's app setting does", () => {
    expect(nodeArgumentsEnableSourceMaps({})).toBe(false);
    expect(nodeArgumentsEnableSourceMaps({ languageWorkers__node__arguments: "--enable-source-maps" })).toBe(true);
    expect(nodeArgumentsEnableSourceMaps({ languageWorkers__node__arguments: "--inspect=9229  --enable-source-maps" })).toBe(true);
    // local.settings.json may spell it with colons, as Core Tools' docs do.
    expect(nodeArgumentsEnableSourceMaps({ "languageWorkers:node:arguments": "--enable-source-maps" })).toBe(true);
    expect(nodeArgumentsEnableSourceMaps({ languageWorkers__node__arguments: "--enable-source-maps-not" })).toBe(false);
  });
});
