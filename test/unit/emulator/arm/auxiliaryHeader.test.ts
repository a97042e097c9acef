import { describe, expect, it } from "vitest";
import { ArmError } from "../../../../emulator/arm/contract";
import { parseAuxiliaryHeader } from "../../../../emulator/arm/auxiliaryHeader";

describe("x-ms-authorization-auxiliary parsing", () => {
  it("reads the comma-separated form the SDK's auxiliary policy sends", () => {
    expect(parseAuxiliaryHeader("Bearer a.b.c, Bearer d.e.f")).toEqual(["a.b.c", "d.e.f"]);
    expect(parseAuxiliaryHeader("bearer x")).toEqual(["x"]);
  });

  it("is empty without the header", () => {
    expect(parseAuxiliaryHeader(undefined)).toEqual([]);
    expect(parseAuxiliaryHeader("")).toEqual([]);
  });

  it("refuses more than three tokens", () => {
    expect(() => parseAuxiliaryHeader("Bearer a, Bearer b, Bearer c, Bearer d")).toThrowError(ArmError);
    expect(parseAuxiliaryHeader("Bearer a, Bearer b, Bearer c")).toHaveLength(3);
  });

  it("refuses entries that are not bearer tokens, naming the position, with a 401", () => {
    try {
      parseAuxiliaryHeader("Bearer a, EncryptedBearer b");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ArmError);
      expect((error as ArmError).status).toBe(401);
      expect((error as ArmError).message).toContain("position 2");
    }
  });
});
