package io.imago.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One file region per event-loop turn, in order. The test's channel has frozen time, and writes go
 * through the pipeline (EmbeddedChannel's own flush runs due tasks): {@link #nextTurn} advancing the
 * clock and running the due tasks stands for the loop's next turn.
 */
class SendfilePacerTest {
  private static EmbeddedChannel channel() {
    EmbeddedChannel ch = new EmbeddedChannel(new SendfilePacer());
    ch.freezeTime();
    return ch;
  }

  private static void nextTurn(EmbeddedChannel ch) {
    ch.advanceTimeBy(1, java.util.concurrent.TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
  }

  @TempDir
  Path dir;

  private FileChannel file() throws IOException {
    Path f = dir.resolve("data");
    Files.write(f, new byte[4096]);
    return FileChannel.open(f);
  }

  private static ByteBuf text(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
  }

  /** What reached the socket side of the channel so far, as labels. */
  private static List<String> drain(EmbeddedChannel ch) {
    List<String> out = new ArrayList<>();
    Object m;
    while ((m = ch.readOutbound()) != null) {
      if (m instanceof FileRegion r) {
        out.add("region@" + r.position());
        r.release();
      } else {
        ByteBuf b = (ByteBuf) m;
        out.add(b.toString(StandardCharsets.US_ASCII));
        b.release();
      }
    }
    return out;
  }

  @Test
  void theFirstRegionGoesAtOnceTheNextOnesOnePerTurnAndWhatFollowsKeepsItsPlace() throws IOException {
    try (FileChannel fc = file()) {
      EmbeddedChannel ch = channel();
      ch.pipeline().write(text("head"));
      ch.pipeline().write(new DefaultFileRegion(fc, 0, 1024));
      ch.pipeline().write(new DefaultFileRegion(fc, 1024, 1024));
      ch.pipeline().write(new DefaultFileRegion(fc, 2048, 1024));
      ch.pipeline().write(text("last"));
      ch.pipeline().flush();
      assertThat(drain(ch)).containsExactly("head", "region@0");

      nextTurn(ch);
      assertThat(drain(ch)).containsExactly("region@1024");
      nextTurn(ch);
      assertThat(drain(ch)).containsExactly("region@2048", "last");
      nextTurn(ch);
      assertThat(drain(ch)).isEmpty();

      // a quiet turn later, the next response's first region goes at once again
      ch.pipeline().writeAndFlush(text("head2"));
      ch.pipeline().writeAndFlush(new DefaultFileRegion(fc, 0, 512));
      assertThat(drain(ch)).containsExactly("head2", "region@0");
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void bytesWithoutRegionsPassStraightThrough() {
    EmbeddedChannel ch = channel();
    ch.pipeline().writeAndFlush(text("a"));
    ch.pipeline().writeAndFlush(text("b"));
    assertThat(drain(ch)).containsExactly("a", "b");
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  @Test
  void regionsStillHeldWhenTheChannelCloses() throws IOException {
    try (FileChannel fc = file()) {
      EmbeddedChannel ch = channel();
      ch.pipeline().writeAndFlush(new DefaultFileRegion(fc, 0, 1024));
      DefaultFileRegion held = new DefaultFileRegion(fc, 1024, 1024);
      held.retain(); // as Vert.x does: the caller keeps its own reference
      ChannelFuture f = ch.pipeline().writeAndFlush(held);
      assertThat(f.isDone()).isFalse();
      ch.close();
      nextTurn(ch);
      assertThat(f.isDone()).isTrue();
      assertThat(f.isSuccess()).isFalse();
      assertThat(held.refCnt()).isEqualTo(1);
      held.release();
      drain(ch);
      ch.finishAndReleaseAll();
    }
  }
}
