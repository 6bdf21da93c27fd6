// Portal tags with trivial local behaviour: substitution (renders its body), manifest (swallows
// its body), log (sends the message to the logger), outputcache/redirect/rating (do nothing).
import type { Context, Emitter, Liquid, TagToken, Template, TopLevelToken } from "liquidjs";
import { Hash, Tag } from "liquidjs";
import { readBlockBody } from "./read-block-body";

type BodyParser = { parseToken(token: TopLevelToken, remain: TopLevelToken[]): Template };

export class SubstitutionTag extends Tag {
  private readonly templates: Template[];
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, parser: BodyParser) {
    super(token, remainTokens, liquid);
    this.templates = readBlockBody(token, remainTokens, parser);
  }
  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    yield this.liquid.renderer.renderTemplates(this.templates, ctx, emitter);
  }
}

export class ManifestTag extends Tag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, parser: BodyParser) {
    super(token, remainTokens, liquid);
    readBlockBody(token, remainTokens, parser);
  }
  render(): void {}
}

export class NoOpTag extends Tag {
  render(): void {}
}

export type LogSink = (level: string, message: string) => void;

export function createLogTag(sink: LogSink) {
  return class LogTag extends Tag {
    private readonly hash: Hash;
    constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
      super(token, remainTokens, liquid);
      this.hash = new Hash(token.tokenizer, liquid.options.keyValueSeparator);
    }
    *render(ctx: Context): Generator<unknown, void, unknown> {
      const values = (yield this.hash.render(ctx)) as Record<string, unknown>;
      sink(String(values["level"] ?? "Info"), String(values["message"] ?? ""));
    }
  };
}
