package com.flashsale.local;

/**
 * Where a local cluster listens, all on loopback: the entry port (nginx, or node 1 itself when nginx is
 * not installed) and node {@code i}'s HTTP, cluster (Akka remoting) and management ports.
 */
record LocalPorts(int entry, int clusterBase, int managementBase, boolean behindNginx) {

  int http(int node) {
    return behindNginx || node != 1 ? entry + node : entry;
  }

  int cluster(int node) {
    return clusterBase + node;
  }

  int management(int node) {
    return managementBase + node;
  }
}
