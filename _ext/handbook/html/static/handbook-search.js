/* Search ignores accents (handbook.html.search): the query's words are folded
   exactly as the index's were in Python -- NFKD, combining marks dropped --
   before Sphinx's stemmer sees them, so "cafe" finds "Café". */
(function () {
  "use strict";
  if (typeof window.Stemmer !== "function" || window.Stemmer.handbookFoldsAccents) {
    return;
  }
  var Base = window.Stemmer;
  var fold = function (word) {
    return word.normalize("NFKD").replace(/\p{M}/gu, "");
  };
  var Folding = function () {
    var base = new Base();
    this.stemWord = function (word) {
      return base.stemWord(fold(word));
    };
  };
  Folding.handbookFoldsAccents = true;
  window.Stemmer = Folding;
})();
