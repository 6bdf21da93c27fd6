// Content snippets that hold Liquid, wherever a template prints them. Power Pages documents snippet
// values as text or HTML that may use Liquid objects, placed with `{{ snippets['name'] }}` as well as
// with `{% editable snippets 'name' %}`; the emulator used to render that Liquid only through
// `editable`, so a footer printing `{{ snippets['Footer Copyright'] }}` showed the literal
// `{{ sitemarkers['Home'].url }}` as a link. Each render now sees such a snippet as a drop that
// renders its Liquid against the page's scope the first time it is printed.
import { Drop, type Liquid } from "liquidjs";
import { rewriteElseif } from "./template-source";

const holdsLiquid = (text: string): boolean => text.includes("{{") || text.includes("{%");

/** A snippet value holding Liquid; `source` is the text as stored (what `editable` renders itself). */
export class LiquidSnippet extends Drop {
  private rendered: string | null = null;
  private rendering = false;
  constructor(
    readonly source: string,
    private readonly render: (source: string) => string,
  ) {
    super();
  }

  override valueOf(): string {
    if (this.rendered !== null) return this.rendered;
    // A snippet that prints itself gets its text as stored rather than looping.
    if (this.rendering) return this.source;
    this.rendering = true;
    try {
      this.rendered = this.render(this.source);
    } finally {
      this.rendering = false;
    }
    return this.rendered;
  }

  override toString(): string {
    return this.valueOf();
  }
}

/**
 * The scope's `snippets` for one render: values holding Liquid become LiquidSnippet drops rendered
 * (synchronously, once) against `scope`; plain values pass through untouched.
 */
export function withLiquidSnippets(scope: Record<string, unknown>, liquid: Liquid): Record<string, unknown> {
  const snippets = scope["snippets"] as Record<string, unknown> | undefined;
  if (!snippets) return scope;
  const drops = new Map<string, LiquidSnippet>();
  const render = (source: string): string => liquid.parseAndRenderSync(rewriteElseif(source), scope);
  scope["snippets"] = new Proxy(snippets, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (typeof key !== "string" || typeof value !== "string" || !holdsLiquid(value)) return value;
      let drop = drops.get(key.toLowerCase());
      if (!drop) drops.set(key.toLowerCase(), (drop = new LiquidSnippet(value, render)));
      return drop;
    },
  });
  return scope;
}
