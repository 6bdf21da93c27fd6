// Stand-ins for the portal's built-in web templates, used when the site folder has no web template
// of that name. Written for the preview; the real ones carry more markup.

const pageCopy = `{% editable page 'adx_copy' type: 'html', liquid: true %}`;

const breadcrumbs = `<ul class="breadcrumb">
{%- for crumb in page.breadcrumbs %}
  <li><a href="{{ crumb.url | escape }}">{{ crumb.title | escape }}</a></li>
{%- endfor %}
  <li class="active">{{ page.title | escape }}</li>
</ul>`;

const layoutOneColumn = `<div class="container">
  <div class="page-heading">
    {% include 'breadcrumbs' %}
    <h1>{% block title %}{{ page.title | escape }}{% endblock %}</h1>
  </div>
  <div class="row">
    <div class="col-md-12">{% block main %}{% include 'Page Copy' %}{% endblock %}</div>
  </div>
</div>`;

const builtins: Record<string, string> = {
  "page copy": pageCopy,
  page_copy: pageCopy,
  breadcrumbs,
  "layout 1 column": layoutOneColumn,
  layout_1_column: layoutOneColumn,
};

/** The built-in template `name` (case-insensitive), or undefined. */
export function findBuiltinTemplate(name: string): { name: string; source: string } | undefined {
  const source = builtins[name.toLowerCase()];
  return source === undefined ? undefined : { name, source };
}
