// The slice of the portal's `shell` global that page code relies on: getTokenDeferred() (reads the
// anti-forgery token from /_layout/tokenhtml) and ajaxSafePost() (sends a request with that token
// in the __RequestVerificationToken header). Both return a jQuery-like object with done/fail/always
// that is also a Promise, since the preview does not load jQuery.

export const shellShimSource = `(function () {
  "use strict";
  function deferred(promise) {
    var wrapped = promise.then(function (v) { return v; });
    // Like a jQuery Deferred, a failure handled only through fail() is not an unhandled rejection.
    wrapped.catch(function () {});
    wrapped.done = function (fn) { promise.then(function (v) { fn(v.data !== undefined ? v.data : v, v.textStatus, v.xhr); }, function () {}); return wrapped; };
    wrapped.fail = function (fn) { promise.then(null, function (e) { fn(e.xhr || e, e.textStatus || "error", e.message); }); return wrapped; };
    wrapped.always = function (fn) { promise.then(fn, fn); return wrapped; };
    return wrapped;
  }
  var tokenPromise = null;
  function getToken() {
    if (!tokenPromise) {
      tokenPromise = fetch("/_layout/tokenhtml", { credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var match = /value="([^"]*)"/.exec(html);
          if (!match) throw new Error("no token in /_layout/tokenhtml");
          return match[1];
        });
    }
    return tokenPromise;
  }
  function encodeForm(data) {
    if (typeof data === "string") return data;
    return Object.keys(data || {}).map(function (k) {
      return encodeURIComponent(k) + "=" + encodeURIComponent(data[k] == null ? "" : String(data[k]));
    }).join("&");
  }
  function ajaxSafePost(options) {
    var promise = getToken().then(function (token) {
      var headers = Object.assign({ __RequestVerificationToken: token }, options.headers || {});
      var body = options.data;
      if (body !== undefined && typeof body !== "string") {
        headers["Content-Type"] = options.contentType || "application/x-www-form-urlencoded; charset=UTF-8";
        body = headers["Content-Type"].indexOf("json") >= 0 ? JSON.stringify(body) : encodeForm(body);
      } else if (options.contentType) {
        headers["Content-Type"] = options.contentType;
      }
      return fetch(options.url, { method: options.type || options.method || "POST", headers: headers, body: body, credentials: "same-origin" })
        .then(function (response) {
          return response.text().then(function (text) {
            var data = text;
            try { data = text ? JSON.parse(text) : undefined; } catch (e) { /* not JSON */ }
            var xhr = { status: response.status, responseText: text, responseJSON: typeof data === "object" ? data : undefined,
              getResponseHeader: function (n) { return response.headers.get(n); } };
            if (!response.ok) { var err = new Error("HTTP " + response.status); err.xhr = xhr; err.textStatus = "error"; throw err; }
            return { data: data, textStatus: "success", xhr: xhr };
          });
        });
    });
    return deferred(promise);
  }
  window.shell = window.shell || {};
  window.shell.getTokenDeferred = function () { return deferred(getToken()); };
  window.shell.ajaxSafePost = ajaxSafePost;
  window.validateLoginSession = window.validateLoginSession || function (data, textStatus, xhr, resolve) { resolve(data); };
})();
`;
