import { describe, expect, it } from "vitest";
import { EntityLinksInput, entityLinkHref, entityLinksText } from "../../../src/services/projects/entity-links";

const parse = (links: string) => EntityLinksInput.safeParse({ links });

describe("entity links", () => {
  it("reads one `type URL` per line, blank lines ignored, and writes them back the same way", () => {
    const text =
      "promoter https://app.example.com/promoters/{id}\n\n  commission   http://crm.example.com/c?id={id}  \n";
    const parsed = parse(text);
    expect(parsed.success).toBe(true);
    expect(parsed.data?.links).toEqual({
      promoter: "https://app.example.com/promoters/{id}",
      commission: "http://crm.example.com/c?id={id}",
    });
    expect(entityLinksText(parsed.data?.links ?? {})).toBe(
      "promoter https://app.example.com/promoters/{id}\ncommission http://crm.example.com/c?id={id}",
    );
  });

  it.each([
    ["promoter javascript:alert({id})", "line 1: the URL must start with https:// or http://"],
    ["promoter data:text/html,{id}", "line 1: the URL must start with https:// or http://"],
    ["promoter https://app.example.com/promoters", "line 1: the URL has no {id}"],
    ["ok https://a.example/{id}\npromoter", "line 2: write the type, a space, then the URL"],
    ["pro moter https://a.example/{id}", "line 1: write the type"],
    ["<b> https://a.example/{id}", 'line 1: "<b>" is not a type'],
    ["promoter https://[bad/{id}", "line 1: that is not a URL"],
  ])("refuses %j", (text, message) => {
    const parsed = parse(text);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.message).join("; ")).toContain(message);
  });

  it("refuses more than 50 links", () => {
    const text = Array.from({ length: 51 }, (_, i) => `t${i} https://a.example/{id}`).join("\n");
    expect(parse(text).error?.issues[0]?.message).toBe("at most 50 links");
  });

  it("fills in the id URL-encoded, and only for a type the project links", () => {
    const links = { promoter: "https://app.example.com/promoters/{id}?from=trailbook" };
    expect(entityLinkHref(links, "promoter", "p 9/../x?y#z")).toBe(
      "https://app.example.com/promoters/p%209%2F..%2Fx%3Fy%23z?from=trailbook",
    );
    expect(entityLinkHref(links, "commission", "1")).toBeUndefined();
    expect(entityLinkHref(links, "promoter", undefined)).toBeUndefined();
    expect(entityLinkHref(links, "constructor", "1")).toBeUndefined();
    // A template that is not http or https (stored before the check, or by hand) links nowhere.
    expect(entityLinkHref({ promoter: "javascript:alert('{id}')" }, "promoter", "1")).toBeUndefined();
  });
});
