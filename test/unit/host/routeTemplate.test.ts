import { describe, expect, it } from "vitest";
import { createHttpRoutes, resolveHttpRoute } from "../../../emulator/host/httpRouter";
import { matchRoute, parseRouteTemplate } from "../../../emulator/host/routeTemplate";

const match = (template: string, path: string) => matchRoute(parseRouteTemplate(template), path);

describe("route templates", () => {
  it("matches literals case-insensitively and decodes parameter values", () => {
    expect(match("api/Items/{name}", "/api/items/a%20b")).toEqual({ name: "a b" });
    expect(match("api/items/{name}", "/api/other/x")).toBeUndefined();
    expect(match("api/items/{name}", "/api/items")).toBeUndefined();
    expect(match("api/items/{name}", "/api/items/x/y")).toBeUndefined();
  });

  it("ignores a trailing slash as ASP.NET routing does", () => {
    expect(match("api/items/{id}", "/api/items/7/")).toEqual({ id: "7" });
  });

  it("applies int and long constraints including their ranges", () => {
    expect(match("x/{id:int}", "/x/42")).toEqual({ id: "42" });
    expect(match("x/{id:int}", "/x/-3")).toEqual({ id: "-3" });
    expect(match("x/{id:int}", "/x/4.2")).toBeUndefined();
    expect(match("x/{id:int}", "/x/2147483648")).toBeUndefined();
    expect(match("x/{id:long}", "/x/2147483648")).toEqual({ id: "2147483648" });
  });

  it("applies alpha, bool, guid, length and range constraints, chained", () => {
    expect(match("x/{n:alpha}", "/x/abcXYZ")).toEqual({ n: "abcXYZ" });
    expect(match("x/{n:alpha}", "/x/abc1")).toBeUndefined();
    expect(match("x/{b:bool}", "/x/TRUE")).toEqual({ b: "TRUE" });
    expect(match("x/{g:guid}", "/x/0f8fad5b-d9cb-469f-a165-70867728950e")).toBeDefined();
    expect(match("x/{g:guid}", "/x/0f8fad5bd9cb469fa16570867728950e")).toBeDefined();
    expect(match("x/{g:guid}", "/x/not-a-guid")).toBeUndefined();
    expect(match("x/{n:minlength(3):maxlength(4)}", "/x/ab")).toBeUndefined();
    expect(match("x/{n:minlength(3):maxlength(4)}", "/x/abcd")).toEqual({ n: "abcd" });
    expect(match("x/{n:int:range(1,10)}", "/x/11")).toBeUndefined();
    expect(match("x/{n:int:range(1,10)}", "/x/10")).toEqual({ n: "10" });
  });

  it("reads regex constraints case-insensitively and unanchored, with '{{' '}}' escapes", () => {
    expect(match("x/{code:regex(^[a-z]{{3}}$)}", "/x/ABC")).toEqual({ code: "ABC" });
    expect(match("x/{code:regex(^[a-z]{{3}}$)}", "/x/abcd")).toBeUndefined();
    expect(match("x/{code:regex(b)}", "/x/abc")).toEqual({ code: "abc" });
  });

  it("lets an optional parameter or a default be omitted", () => {
    expect(match("x/{id?}", "/x")).toEqual({});
    expect(match("x/{id?}", "/x/5")).toEqual({ id: "5" });
    expect(match("x/{page=1}", "/x")).toEqual({ page: "1" });
    expect(match("x/{id:int?}", "/x/abc")).toBeUndefined();
  });

  it("gives a catch-all the rest of the path, slashes included, or nothing", () => {
    expect(match("files/{*rest}", "/files/a/b%2Fc/d")).toEqual({ rest: "a/b/c/d" });
    expect(match("files/{*rest}", "/files")).toEqual({});
  });

  it("splits complex segments on their literals from the right, as ASP.NET does", () => {
    expect(match("x/{name}.{ext}", "/x/report.final.pdf")).toEqual({ name: "report.final", ext: "pdf" });
    expect(match("x/{name}.{ext}", "/x/report")).toBeUndefined();
  });

  it("rejects malformed templates and unknown constraints", () => {
    expect(() => parseRouteTemplate("x/{*rest}/y")).toThrow(/catch-all/);
    expect(() => parseRouteTemplate("x/{id:nope}")).toThrow(/unknown route constraint 'nope'/);
    expect(() => parseRouteTemplate("x/{id}/{id}")).toThrow(/twice/);
    expect(() => parseRouteTemplate("x/{id")).toThrow(/unterminated/);
  });
});

describe("HTTP route resolution", () => {
  const routes = createHttpRoutes(
    [
      { functionName: "byId", route: "items/{id}", methods: ["GET"] },
      { functionName: "byIntId", route: "items/{id:int}", methods: ["get", "put"] },
      { functionName: "newItem", route: "items/new", methods: ["GET"] },
      { functionName: "rest", route: "items/{*rest}", methods: ["GET"] },
      { functionName: "health", methods: [] },
    ],
    "api",
  );
  const resolve = (method: string, path: string) => {
    const r = resolveHttpRoute(routes, method, path);
    return r.kind === "match" ? r.route.functionName : r.kind;
  };

  it("prefers literals, then constrained parameters, then parameters, then catch-alls", () => {
    expect(resolve("GET", "/api/items/new")).toBe("newItem");
    expect(resolve("GET", "/api/items/12")).toBe("byIntId");
    expect(resolve("GET", "/api/items/abc")).toBe("byId");
    expect(resolve("GET", "/api/items/a/b")).toBe("rest");
  });

  it("defaults the route to the function name under the prefix, and empty methods accept any", () => {
    expect(resolve("PATCH", "/api/health")).toBe("health");
    expect(resolve("GET", "/health")).toBe("notFound");
  });

  it("answers 405 with the allowed methods when only the method differs, 404 when no route matches", () => {
    expect(resolveHttpRoute(routes, "DELETE", "/api/items/new")).toEqual({ kind: "methodNotAllowed", allowed: expect.arrayContaining(["GET"]) as unknown });
    expect(resolve("PUT", "/api/items/12")).toBe("byIntId");
    expect(resolve("GET", "/api/unknown")).toBe("notFound");
  });

  it("serves routes at the root when the prefix is empty", () => {
    const root = createHttpRoutes([{ functionName: "f", route: "ping", methods: ["GET"] }], "");
    expect(resolveHttpRoute(root, "GET", "/ping").kind).toBe("match");
  });
});
