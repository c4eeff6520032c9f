import { describe, expect, it } from "vitest";
import { createRawSnippet } from "svelte";
import { render } from "svelte/server";
import ListBody from "./ListBody.svelte";

type Item = { id: number; name: string };

const head = createRawSnippet(() => ({ render: () => "<th>Name</th>" }));
const row = createRawSnippet((item: () => Item) => ({ render: () => `<tr data-id="${item().id}"><td>${item().name}</td></tr>` }));

function html(props: Partial<Parameters<typeof ListBody<Item>>[1]>): string {
  const body = render(ListBody<Item>, {
    props: { items: null, empty: "Nothing yet.", emptyTestid: "things-empty", tableClass: "t", head, row, ...props },
  }).body;
  return body.replace(/<!--[^>]*-->/g, "");
}

describe("ListBody", () => {
  it("says it is loading until the items arrive, unless an error is shown", () => {
    expect(html({})).toContain("Loading…");
    expect(html({ error: "down" })).not.toContain("Loading…");
  });

  it("shows the empty text when there are none", () => {
    expect(html({ items: [] })).toContain('<p class="empty" data-testid="things-empty">Nothing yet.</p>');
  });

  it("renders a row an item, and the older-page button only while there is more", () => {
    const items = [
      { id: 1, name: "a" },
      { id: 2, name: "b" },
    ];
    const older = { label: "Older things", testid: "things-older", load: () => {} };
    const shown = html({ items, key: (x) => x.id, older });
    expect(shown).toContain('<table class="t"><thead><tr><th>Name</th></tr></thead>');
    expect(shown).toContain('<tr data-id="1"><td>a</td></tr><tr data-id="2"><td>b</td></tr>');
    expect(shown).not.toContain("Older things");
    expect(html({ items, older, more: true })).toContain('data-testid="things-older">Older things</button>');
  });
});
