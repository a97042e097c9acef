import { describe, expect, it } from "vitest";
import { getOpenApi } from "../../src/functions/openapi";

describe("GET /api/openapi.json", () => {
  it("serves the OpenAPI 3.1 document to anyone, without a token", async () => {
    const response = await getOpenApi();
    expect(response.status).toBe(200);
    expect((response.headers as Record<string, string>)["content-type"]).toMatch(/^application\/json/);
    const document = JSON.parse(response.body as string) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths)).toContain("/connections/{subscriptionId}/{resourceGroup}/{cluster}/{database}/{name}");
  });
});
