package com.flashsale.admin;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The base of every admin command that does something: runs it and turns every failure into one
 * {@code flashsale admin: ...} line on stderr and exit code 1, never a stack trace. Bad usage
 * (picocli's {@link ParameterException}) goes on to picocli: the message, the usage and exit code 2.
 */
abstract class AdminAction implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  HelpOption help;

  /** Does the work; throws {@link AdminFailure} when it cannot. */
  protected abstract void run();

  @Override
  public final Integer call() {
    try {
      run();
      return 0;
    } catch (ParameterException usage) {
      throw usage;
    } catch (AdminFailure failure) {
      err().println("flashsale admin: " + failure.getMessage());
      return 1;
    } catch (RuntimeException bug) {
      // Still no stack trace for the operator; the class and message are enough to report it.
      err().println("flashsale admin: unexpected error: " + bug);
      return 1;
    } finally {
      out().flush();
      err().flush();
    }
  }

  protected final PrintWriter out() {
    return spec.commandLine().getOut();
  }

  protected final PrintWriter err() {
    return spec.commandLine().getErr();
  }

  protected final AdminCommand admin() {
    return AdminCommand.of(spec);
  }

  protected final CredentialsFile credentials() {
    return CredentialsFile.in(admin());
  }

  /** A usage error: picocli prints it with the usage and exits with 2. */
  protected final ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
