// Dataverse-backed tags the preview cannot run (forms, lists, charts, Power BI, code components,
// search). Each renders a visible placeholder naming the tag and its arguments. Block forms
// (entitylist, entityview, searchindex) also render their body with an empty result object.
import type { Context, Emitter, Liquid, TagToken, Template, TopLevelToken } from "liquidjs";
import { Tag } from "liquidjs";
import { encodeHtml } from "../values";
import { readBlockBody } from "./read-block-body";

export const placeholderTagNames = ["entityform", "webform", "chart", "powerbi", "codecomponent"] as const;
export const placeholderBlockTagNames = ["entitylist", "entityview", "searchindex"] as const;

export function renderPlaceholder(tagName: string, args: string): string {
  const shown = args.trim() === "" ? tagName : `${tagName} ${args.trim()}`;
  return (
    `<div class="pp-preview-placeholder" data-liquid-tag="${tagName}">` +
    `[${encodeHtml(shown)}: rendered by Power Pages, not by the local preview]</div>`
  );
}

export class PlaceholderTag extends Tag {
  private readonly text: string;
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    this.text = renderPlaceholder(token.name, token.args);
  }
  render(_ctx: Context, emitter: Emitter): void {
    emitter.write(this.text);
  }
}

/** What the body of an entitylist/entityview/searchindex block sees under the tag's own name. */
function emptyResult(tagName: string): Record<string, unknown> {
  if (tagName === "searchindex")
    return { results: [], count: 0, page: 1, page_size: 10, approximate_total_hits: 0 };
  return {
    records: [],
    columns: [],
    total_records: 0,
    total_pages: 0,
    page: 1,
    page_size: 10,
    first_page: 1,
    last_page: 1,
  };
}

export class PlaceholderBlockTag extends Tag {
  private readonly text: string;
  private readonly templates: Template[];
  private readonly tagName: string;
  constructor(
    token: TagToken,
    remainTokens: TopLevelToken[],
    liquid: Liquid,
    parser: { parseToken(token: TopLevelToken, remain: TopLevelToken[]): Template },
  ) {
    super(token, remainTokens, liquid);
    this.tagName = token.name;
    this.text = renderPlaceholder(token.name, token.args);
    this.templates = readBlockBody(token, remainTokens, parser);
  }
  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    emitter.write(this.text);
    ctx.push({ [this.tagName]: emptyResult(this.tagName) });
    yield this.liquid.renderer.renderTemplates(this.templates, ctx, emitter);
    ctx.pop();
  }
}
