// `{% fetchxml name %}<fetch>…</fetch>{% endfetchxml %}`: renders the body (it may hold Liquid),
// runs the query on fixture rows and assigns `{ results, xml }` to `name`, as the portal does.
import type { Context, Liquid, TagToken, Template, TopLevelToken } from "liquidjs";
import { Tag } from "liquidjs";
import type { FixtureRows } from "../fetchxml-query";
import { runFetchXml } from "../fetchxml-query";
import { readBlockBody } from "./read-block-body";

type BodyParser = { parseToken(token: TopLevelToken, remain: TopLevelToken[]): Template };

export function createFetchXmlTag(rows: () => FixtureRows) {
  return class FetchXmlTag extends Tag {
    private readonly variable: string;
    private readonly templates: Template[];
    constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, parser: BodyParser) {
      super(token, remainTokens, liquid);
      const name = token.tokenizer.readIdentifier().content;
      if (name === "") throw new Error("fetchxml needs a variable name: {% fetchxml results %}");
      this.variable = name;
      this.templates = readBlockBody(token, remainTokens, parser);
    }
    *render(ctx: Context): Generator<unknown, void, unknown> {
      const xml = (yield this.liquid.renderer.renderTemplates(this.templates, ctx)) as string;
      const results = runFetchXml(xml, rows());
      ctx.bottom()[this.variable] = { results, xml };
    }
  };
}
