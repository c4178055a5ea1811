"use strict";
// A renamed entry's old page: go on to the address in its canonical link, keeping the #fragment. A file, not
// an inline script, so that the page's Content-Security-Policy allows no inline script at all.
(function () {
  var canonical = document.querySelector('link[rel="canonical"]');
  if (canonical) location.replace(canonical.href + location.hash);
})();
