/** Hash routes: `#/` (dashboard) and `#/programs/<id>` (one program). */
export type Route = { name: "dashboard" } | { name: "program"; id: number };

export function parseRoute(hash: string): Route {
  const m = /^#?\/programs\/(\d+)\/?$/.exec(hash);
  if (m) {
    const id = Number(m[1]);
    if (Number.isSafeInteger(id)) return { name: "program", id };
  }
  return { name: "dashboard" };
}

export function programHref(id: number): string {
  return `#/programs/${id}`;
}

export const DASHBOARD_HREF = "#/";
