/** The landing page until someone signs in: what this server is and where its API is described. */
export function Home(props: { apiDocsUrl: string }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Trailbook</title>
      </head>
      <body>
        <main>
          <h1>Trailbook</h1>
          <p>Activity and audit log service.</p>
          <p>
            The HTTP API is described at <a href={props.apiDocsUrl}>{props.apiDocsUrl}</a>.
          </p>
        </main>
      </body>
    </html>
  );
}
