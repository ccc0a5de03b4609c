package io.imago.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Glance's error bodies by Accept (spec/images-api.md §0.3). */
class ErrorMapperTest {
  @Test
  void glanceclientsWildcardAcceptGetsAnHtmlPage() {
    ErrorMapper.Body b = ErrorMapper.render("*/*", HttpResponseStatus.NOT_FOUND, "No image found with ID x");
    assertThat(b.contentType()).isEqualTo("text/html; charset=UTF-8");
    assertThat(b.text()).contains("<title>404 Not Found</title>").contains("<h1>404 Not Found</h1>")
        .contains("No image found with ID x<br /><br />");
  }

  @Test
  void jsonAcceptGetsTheFlatWebObObject() {
    ErrorMapper.Body b = ErrorMapper.render("application/json", HttpResponseStatus.CONFLICT, "busy");
    assertThat(b.contentType()).isEqualTo("application/json");
    JsonObject o = new JsonObject(b.text());
    assertThat(o.getString("code")).isEqualTo("409 Conflict");
    assertThat(o.getString("title")).isEqualTo("Conflict");
    assertThat(o.getString("message")).startsWith("busy<br /><br />");
  }

  @Test
  void noAcceptOrNeitherAcceptableGivesPlainText() {
    assertThat(ErrorMapper.render(null, HttpResponseStatus.BAD_REQUEST, "bad").text())
        .startsWith("400 Bad Request\n\nbad");
    assertThat(ErrorMapper.render("text/plain", HttpResponseStatus.BAD_REQUEST, "bad").contentType())
        .isEqualTo("text/plain; charset=UTF-8");
  }

  @Test
  void negotiationFollowsQualityWithHtmlWinningTies() {
    assertThat(ErrorMapper.negotiate("application/json;q=0.5, text/html;q=0.9")).isEqualTo(ErrorMapper.Format.HTML);
    assertThat(ErrorMapper.negotiate("text/html;q=0.1, application/json")).isEqualTo(ErrorMapper.Format.JSON);
    assertThat(ErrorMapper.negotiate("application/*")).isEqualTo(ErrorMapper.Format.JSON);
    assertThat(ErrorMapper.negotiate("text/*, application/json")).isEqualTo(ErrorMapper.Format.HTML);
    assertThat(ErrorMapper.negotiate("image/png")).isEqualTo(ErrorMapper.Format.TEXT);
  }

  @Test
  void htmlEscapesTheMessage() {
    assertThat(ErrorMapper.render("text/html", HttpResponseStatus.BAD_REQUEST, "<script>").text())
        .contains("&lt;script&gt;").doesNotContain("<script>");
  }
}
