// Stand-ins for the web templates Power Pages carries built in, used when the site folder has no
// web template of that name (the site's own always wins). Stock templates include them by name:
// `{% include 'snippet' snippet_name: 'Footer' %}`, `{% include 'entity_list' key: page.adx_entitylist.id %}`,
// `{% extends 'layout_1_column' %}`. Written for the preview: the same blocks and objects as the
// portal's, lighter markup. Those that need Dataverse content the preview lacks (lists, blogs,
// forums, polls, ads, search) render a visible placeholder naming what they stand for.

const placeholder = (what: string, detail = ""): string =>
  `<div class="pp-preview-placeholder" data-liquid-tag="${what}">[${what}${detail}: rendered by Power Pages, not by the local preview]</div>`;

const pageCopy = `{% editable page 'adx_copy' type: 'html', liquid: true %}`;

const breadcrumbs = `<ul class="breadcrumb">
{%- for crumb in page.breadcrumbs %}
  <li><a href="{{ crumb.url | escape }}">{{ crumb.title | escape }}</a></li>
{%- endfor %}
  <li class="active">{{ page.title | escape }}</li>
</ul>`;

const pageHeader = `<div class="page-header"><h1>{% block title %}{{ page.title | escape }}{% endblock %}</h1></div>`;

const childLinks = `<div class="list-group">
{%- for child in page.children %}
  <a class="list-group-item" href="{{ child.url | escape }}">{{ child.title | escape }}</a>
{%- endfor %}
</div>`;

const weblinkList = `{%- assign set = weblinks[weblink_set_name] | default: weblinks[name] -%}
<div class="list-group weblinks">
{%- for link in set.weblinks %}
  <a class="list-group-item" href="{{ link.url | escape }}">{{ link.name | escape }}</a>
{%- endfor %}
</div>`;

const topNavigation = `{%- assign nav = weblinks['Primary Navigation'] | default: weblinks['Default'] -%}
<ul class="nav navbar-nav">
{%- for link in nav.weblinks %}
  <li><a href="{{ link.url | escape }}">{{ link.name | escape }}</a></li>
{%- endfor %}
</ul>`;

const snippet = `{%- if snippet_name -%}{% editable snippets snippet_name type: 'html' %}{%- endif -%}`;

const entityList = `<div class="pp-preview-placeholder" data-liquid-tag="entity_list">[entity list {{ key | default: page.adx_entitylist.id | escape }}: rendered by Power Pages, not by the local preview]</div>`;

const layout = (columns: string): string => `<div class="container">
  <div class="page-heading">
    {% block breadcrumbs %}{% include 'breadcrumbs' %}{% endblock %}
    {% block title %}<h1>{{ page.title | escape }}</h1>{% endblock %}
  </div>
  <div class="row">
${columns}
  </div>
</div>`;

const layoutOneColumn = layout(
  `    <div class="col-md-12">{% block main %}{% include 'page_copy' %}{% endblock %}</div>`,
);
const layoutWideLeft = layout(
  `    <div class="col-md-8">{% block main %}{% include 'page_copy' %}{% endblock %}</div>
    <div class="col-md-4">{% block aside %}{% include 'child_navigation' %}{% endblock %}</div>`,
);
const layoutWideRight = layout(
  `    <div class="col-md-4">{% block aside %}{% include 'child_navigation' %}{% endblock %}</div>
    <div class="col-md-8">{% block main %}{% include 'page_copy' %}{% endblock %}</div>`,
);

/** Keyed by the lower-cased name; the portal accepts both `Page Copy` and `page_copy`. */
const builtins: Record<string, string> = {
  page_copy: pageCopy,
  breadcrumbs,
  page_header: pageHeader,
  child_navigation: childLinks,
  child_link_list_group: childLinks,
  side_navigation: childLinks,
  weblink_list_group: weblinkList,
  top_navigation: topNavigation,
  snippet,
  entity_list: entityList,
  layout_1_column: layoutOneColumn,
  layout_2_column_wide_left: layoutWideLeft,
  layout_2_column_wide_right: layoutWideRight,
  ad: placeholder("ad"),
  ad_template: placeholder("ad"),
  poll: placeholder("poll"),
  polls: placeholder("polls"),
  blogs: placeholder("blogs"),
  events: placeholder("events"),
  forums: placeholder("forums"),
  ideas: placeholder("ideas"),
  search: placeholder("search"),
};

/** The built-in template `name` (case-insensitive, spaces or underscores), or undefined. */
export function findBuiltinTemplate(name: string): { name: string; source: string } | undefined {
  const source = builtins[name.trim().toLowerCase().replace(/\s+/g, "_")];
  return source === undefined ? undefined : { name, source };
}

/** Names of every built-in stand-in, for documentation and tests. */
export const builtinTemplateNames: readonly string[] = Object.keys(builtins);
