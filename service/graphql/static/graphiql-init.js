// Starts GraphiQL on the element #graphiql (see service/graphql/graphiql.py). A separate file so
// the page's Content-Security-Policy can forbid inline scripts.
(function () {
  var root = document.getElementById("graphiql");
  var fetcher = GraphiQL.createFetcher({ url: root.dataset.endpoint });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: JSON.parse(root.dataset.query),
      defaultEditorToolsVisibility: true,
      shouldPersistHeaders: true,
    })
  );
})();
