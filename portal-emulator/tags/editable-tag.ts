// `{% editable page 'adx_copy' type: 'html', liquid: true %}`: renders an attribute of an object
// (or a snippet) inside the portal's editable-attribute wrapper. Power Pages documents `liquid` as
// on unless `liquid: false`, so stock headers' snippets holding `{% if %}` render as Liquid.
// A target without an attribute (`{% editable primary_nav %}`) only marks a region for the
// designer: the wrapper is written, the object itself is not printed.
import type { Context, Emitter, Liquid, TagToken, TopLevelToken, ValueToken } from "liquidjs";
import { evalToken, Hash, Tag } from "liquidjs";
import { LiquidSnippet } from "../snippet-liquid";
import { rewriteElseif } from "../template-source";
import { encodeHtml, readProperty } from "../values";

export class EditableTag extends Tag {
  private readonly target: ValueToken | undefined;
  private readonly attribute: ValueToken | undefined;
  private readonly hash: Hash;
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    const tokenizer = token.tokenizer;
    this.target = tokenizer.readValue();
    tokenizer.skipBlank();
    const start = tokenizer.p;
    const next = tokenizer.readValue();
    tokenizer.skipBlank();
    // A bare word followed by ":" is the first option, not the attribute name.
    if (next && tokenizer.peek() === ":") tokenizer.p = start;
    else this.attribute = next;
    this.hash = new Hash(tokenizer, liquid.options.keyValueSeparator);
  }

  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const options = (yield this.hash.render(ctx)) as Record<string, unknown>;
    const target = this.target ? yield evalToken(this.target, ctx) : undefined;
    const attribute = this.attribute ? yield evalToken(this.attribute, ctx) : undefined;
    let value =
      attribute === undefined || attribute === null ? target : readProperty(target, String(attribute));
    // A snippet holding Liquid: render its text as stored, here, with this tag's context.
    if (value instanceof LiquidSnippet) value = value.source;
    if ((value === null || value === undefined || value === "") && options["default"] !== undefined) {
      value = options["default"];
    }
    let text = value === null || value === undefined || typeof value === "object" ? "" : String(value);
    if (options["liquid"] !== false && text !== "") {
      const templates = this.liquid.parse(rewriteElseif(text));
      text = (yield this.liquid.renderer.renderTemplates(templates, ctx)) as string;
    }
    const type = String(options["type"] ?? "text");
    if (type !== "html" && options["escape"] === true) text = encodeHtml(text);
    const tag = typeof options["tag"] === "string" ? options["tag"] : type === "html" ? "div" : "span";
    const extraClass = typeof options["class"] === "string" ? ` ${encodeHtml(options["class"])}` : "";
    const title = typeof options["title"] === "string" ? ` title="${encodeHtml(options["title"])}"` : "";
    emitter.write(
      `<${tag} class="xrm-attribute xrm-editable-${encodeHtml(type)}${extraClass}"${title}>` +
        `<${tag} class="xrm-attribute-value">${text}</${tag}></${tag}>`,
    );
  }
}
