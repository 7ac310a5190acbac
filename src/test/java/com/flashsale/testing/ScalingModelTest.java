package com.flashsale.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The scaling model's fit: runs made from known constants give those constants back, and they read back. */
class ScalingModelTest {

  private static final ScalingModel KNOWN = new ScalingModel(200, 160, 120, 1300, 20, 540, 90, 80, 7.5);

  @Test
  void fitsTheConstantsTheRunsWereMadeOf() {
    int n = 3;
    ScalingModel.Point remote = point(1, 35, KNOWN.f() + KNOWN.w() / 35);
    ScalingModel.Point local = point(1, 30, KNOWN.l() + KNOWN.w() / 30);
    ScalingModel.Point many = point(n, 1.2, KNOWN.nodes(n, 1.2));
    ScalingModel.Point nginx = point(n, 14, KNOWN.nodes(n, 14));

    ScalingModel fitted = ScalingModel.fit(n, remote, local, many, nginx, KNOWN.r(), KNOWN.e(), KNOWN.s());

    assertThat(fitted.f()).isCloseTo(KNOWN.f(), within(1e-6));
    assertThat(fitted.l()).isCloseTo(KNOWN.l(), within(1e-6));
    assertThat(fitted.w()).isCloseTo(KNOWN.w(), within(1e-6));
    assertThat(fitted.g()).isCloseTo(KNOWN.g(), within(1e-6));
    assertThat(fitted.wg()).isCloseTo(KNOWN.wg(), within(1e-6));
    assertThat(fitted.x()).isCloseTo(KNOWN.x(), within(1e-6));
    assertThat(fitted.machine(n, 14)).isCloseTo(nginx.machine(), within(1e-6));
  }

  @Test
  void aPostgresFitBelowZeroPutsAllOfItsCostOnTheWrites() {
    ScalingModel.Point remote = new ScalingModel.Point(35, 300, 10, 400);
    ScalingModel.Point local = new ScalingModel.Point(30, 200, 30, 300);
    ScalingModel.Point many = new ScalingModel.Point(1.2, 1500, 500, 2100);
    ScalingModel.Point nginx = new ScalingModel.Point(14, 350, 15, 450);

    ScalingModel fitted = ScalingModel.fit(2, remote, local, many, nginx, 150, 80, 7);

    assertThat(fitted.g()).isZero();
    assertThat(fitted.wg()).isPositive();
  }

  @Test
  void itsConstantsReadBack() {
    assertThat(ScalingModel.parse(KNOWN.encode())).isEqualTo(KNOWN);
  }

  /** A run whose nodes spent {@code nodes} µs per purchase, with PostgreSQL and the rest as the known model says. */
  private static ScalingModel.Point point(int n, double batch, double nodes) {
    double postgres = KNOWN.postgres(batch);
    return new ScalingModel.Point(batch, nodes, postgres, nodes + postgres + KNOWN.x());
  }
}
